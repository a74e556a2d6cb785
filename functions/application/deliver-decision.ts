import type { Decision, DuplicateResolution } from '../../domain/decisions.ts';
import { isTransient, WorkflowErrors } from '../shared/stage-errors.ts';
import type { TaskCallbacks } from './workflow-engine.ts';

/** Token errors that mean the task's SLA lapsed before the send: the workflow asks again with a new token. */
const LAPSED_TOKEN = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** How long a throttled or failing send is tried again by default. */
const RETRY_FOR_MS = 10_000;

/**
 * Sends a recorded decision to the workflow through a task token: approve/dismiss/unique/not_same_person as a
 * success, the rest as the failure the workflow catches. A throttled send is tried again for `retryForMs`.
 * A lapsed token is not an error: the decision is recorded, and when the workflow asks again request-decision
 * finds it and sends it with the new token ('lapsed'). Whoever holds the token the decision was recorded with
 * (or swapped in after it) sends it, so it is sent once per token.
 */
export async function deliverDecision(
  callbacks: TaskCallbacks,
  task: { taskId: string; token: string; decision: Decision; resolution?: DuplicateResolution | undefined },
  options: { retryForMs?: number } = {},
): Promise<'delivered' | 'lapsed'> {
  const { taskId, token, decision, resolution } = task;
  const cause = JSON.stringify({ taskId });
  const send = () => {
    switch (decision) {
      case 'approve':
      case 'dismiss':
      case 'unique':
      case 'not_same_person':
        return callbacks.sendTaskSuccess(token, { taskId, decision });
      case 'duplicate':
        return callbacks.sendTaskFailure(token, resolution === 'merge' ? WorkflowErrors.merged : WorkflowErrors.rejected, cause);
      case 'return':
        return callbacks.sendTaskFailure(token, WorkflowErrors.returned, cause);
      case 'reject':
      case 'uphold':
        return callbacks.sendTaskFailure(token, WorkflowErrors.rejected, cause);
    }
  };
  const deadline = Date.now() + (options.retryForMs ?? RETRY_FOR_MS);
  for (;;) {
    try {
      await send();
      return 'delivered';
    } catch (error) {
      if (LAPSED_TOKEN.has((error as Error)?.name)) return 'lapsed';
      if (!isTransient(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
