/**
 * What the figures read from Step Functions execution histories (GetExecutionHistory on the local endpoint,
 * the same shape AWS returns): the Lambda tasks with their durations, and the time spent in each state.
 */
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { LocalClients } from '../../local/clients.ts';
import type { LambdaInvocation } from '../cost-model.ts';

export async function executionHistory(clients: LocalClients, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

const TASK_ENDS = new Set(['TaskSubmitted', 'TaskSucceeded', 'TaskFailed', 'TaskTimedOut']);

/**
 * Lambda task invocations and their durations: TaskStarted to the function's return (TaskSubmitted for a
 * task-token wait, else the task's end). The workflow has no parallel states, so tasks come one at a time.
 */
export function lambdaTasksOf(events: readonly HistoryEvent[], functionOf: (functionName: string) => { label: string; memoryMb: number }): LambdaInvocation[] {
  const invocations: LambdaInvocation[] = [];
  let current: { functionName: string; startedAt?: number } | undefined;
  for (const event of events) {
    const at = new Date(event.timestamp!).getTime();
    if (event.type === 'TaskScheduled' && event.taskScheduledEventDetails?.resourceType === 'lambda') {
      const parameters = JSON.parse(event.taskScheduledEventDetails.parameters ?? '{}') as { FunctionName?: string };
      // arn:aws:lambda:<region>:<account>:function:<name>
      current = { functionName: String(parameters.FunctionName ?? '').split(':')[6] ?? '' };
    } else if (event.type === 'TaskStarted' && current) {
      current.startedAt = at;
    } else if (current?.startedAt !== undefined && TASK_ENDS.has(event.type ?? '')) {
      const { label, memoryMb } = functionOf(current.functionName);
      invocations.push({ label, memoryMb, durationMs: at - current.startedAt });
      current = undefined;
    }
  }
  return invocations;
}

/** StateEntered → StateExited per state name, in ms. */
export function stateDurations(events: readonly HistoryEvent[]): Map<string, number[]> {
  const durations = new Map<string, number[]>();
  const entered = new Map<string, number>();
  for (const event of events) {
    const at = new Date(event.timestamp!).getTime();
    if (event.type?.endsWith('StateEntered')) {
      entered.set(event.stateEnteredEventDetails!.name!, at);
    } else if (event.type?.endsWith('StateExited')) {
      const name = event.stateExitedEventDetails!.name!;
      const from = entered.get(name);
      if (from !== undefined) (durations.get(name) ?? durations.set(name, []).get(name)!).push(at - from);
    }
  }
  return durations;
}
