/**
 * EventBridge PutEvents for the functions (the cut-off publishes "Cut-off export ready"), on the AWS JSON 1.1
 * protocol as the SDK speaks it. Entries go to the same event log as the workflow's events (`events.jsonl`);
 * rules and targets are not run.
 */
import { endpointOptions, JsonProtocolError, startJsonProtocolServer, type JsonEndpointOptions, type JsonProtocolServer } from './json-protocol.ts';
import type { OnEvents, PutEventsEntry } from './stepfunctions/host.ts';

/** PutEvents takes at most 10 entries per call. */
const MAX_ENTRIES = 10;

export function startEventBridgeEndpoint(options: JsonEndpointOptions & { onEvents: OnEvents }): Promise<JsonProtocolServer> {
  return startJsonProtocolServer({
    label: 'EventBridge',
    signingName: 'events',
    targetPrefix: 'AWSEvents',
    protocolVersion: '1.1',
    ...endpointOptions(options),
    operations: {
      PutEvents: async (input) => {
        const entries = input.Entries;
        if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
          throw new JsonProtocolError('ValidationException', `Entries must hold 1 to ${MAX_ENTRIES} entries.`);
        }
        try {
          return await options.onEvents(entries as PutEventsEntry[]);
        } catch (error) {
          if ((error as Error).name === 'EventBridge.ResourceNotFoundException') throw new JsonProtocolError('ResourceNotFoundException', (error as Error).message);
          throw error;
        }
      },
    },
  });
}
