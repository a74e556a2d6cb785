/**
 * Execution history in the shape GetExecutionHistory returns (AWS SDK v3 `HistoryEvent`): each event has an
 * id, the previous event's id, a timestamp, a type and one `<type>EventDetails` member named as AWS names it.
 * Stored with epoch-ms timestamps so records serialise; `toHistoryEvent` gives the SDK shape with a Date.
 */

export type HistoryEventType =
  | 'ExecutionStarted'
  | 'ExecutionSucceeded'
  | 'ExecutionFailed'
  | 'ExecutionAborted'
  | 'ExecutionTimedOut'
  | `${StateTypeName}StateEntered`
  | `${StateTypeName}StateExited`
  | 'TaskScheduled'
  | 'TaskStarted'
  | 'TaskSubmitted'
  | 'TaskSucceeded'
  | 'TaskFailed'
  | 'TaskTimedOut'
  | 'LambdaFunctionScheduled'
  | 'LambdaFunctionStarted'
  | 'LambdaFunctionSucceeded'
  | 'LambdaFunctionFailed'
  | 'LambdaFunctionTimedOut'
  | 'MapStateStarted'
  | 'MapStateSucceeded'
  | 'MapStateFailed'
  | 'MapIterationStarted'
  | 'MapIterationSucceeded'
  | 'MapIterationFailed'
  | 'ParallelStateStarted'
  | 'ParallelStateSucceeded'
  | 'ParallelStateFailed';

type StateTypeName = 'Task' | 'Parallel' | 'Map' | 'Pass' | 'Wait' | 'Choice' | 'Succeed' | 'Fail';

export interface StoredHistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: HistoryEventType;
  [details: string]: unknown;
}

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: HistoryEventType;
  [details: string]: unknown;
}

/** AWS names the details member after the event family, not the full type (e.g. TaskStateEntered → stateEnteredEventDetails). */
export function detailsKey(type: HistoryEventType): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}

export function toHistoryEvent(event: StoredHistoryEvent): HistoryEvent {
  return { ...event, timestamp: new Date(event.timestamp) };
}
