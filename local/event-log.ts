/**
 * Stands in for EventBridge PutEvents from the workflow: every entry sent to one of the template's event buses
 * (or the account's default bus) is appended to a JSON Lines file, one event per line in the shape EventBridge
 * delivers to a target, plus `eventBusName`. Nothing is routed on: rules and targets are not run locally.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { OnEvents, PutEventsEntry } from './stepfunctions/host.ts';

export interface EventBusInfo {
  name: string;
  arn: string;
}

export function eventLog(file: string, options: { region: string; accountId: string; buses: readonly EventBusInfo[] }): OnEvents {
  mkdirSync(dirname(file), { recursive: true });
  const defaultBus: EventBusInfo = {
    name: 'default',
    arn: `arn:aws:events:${options.region}:${options.accountId}:event-bus/default`,
  };
  const buses = [defaultBus, ...options.buses];
  return (entries: PutEventsEntry[]) => {
    const lines: string[] = [];
    const results = entries.map((entry) => {
      const busName = entry.EventBusName ?? 'default';
      const bus = buses.find((candidate) => candidate.name === busName || candidate.arn === busName);
      if (!bus) {
        // PutEvents fails as a whole for a bus that does not exist.
        throw Object.assign(new Error(`Event bus ${busName} does not exist.`), { name: 'EventBridge.ResourceNotFoundException' });
      }
      if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
        return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter(s) Source, DetailType and Detail must be specified.' };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        detail = undefined;
      }
      if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      const id = randomUUID();
      lines.push(
        JSON.stringify({
          version: '0',
          id,
          'detail-type': entry.DetailType,
          source: entry.Source,
          account: options.accountId,
          time: new Date(entry.Time ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          region: options.region,
          resources: entry.Resources ?? [],
          detail,
          eventBusName: bus.name,
        }),
      );
      return { EventId: id };
    });
    if (lines.length > 0) appendFileSync(file, `${lines.join('\n')}\n`);
    return { Entries: results, FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length };
  };
}
