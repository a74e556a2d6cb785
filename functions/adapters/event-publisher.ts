import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';

/** Publishes one event on the province's bus; resolves only once EventBridge accepted it. */
export type EventPublisher = (detailType: string, detail: object) => Promise<void>;

export function eventBridgePublisher(busName: string, source: string, client = new EventBridgeClient({})): EventPublisher {
  return async (detailType, detail) => {
    const result = await client.send(
      new PutEventsCommand({ Entries: [{ EventBusName: busName, Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }] }),
    );
    // A rejected entry throws, so the caller's retry publishes it again.
    if (result.FailedEntryCount) throw new Error(`PutEvents rejected the event: ${result.Entries?.[0]?.ErrorCode ?? 'unknown'}`);
  };
}
