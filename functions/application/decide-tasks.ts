import { validateDecision, type Decision } from '../../domain/decisions.ts';
import type { ValidationIssue } from '../../domain/messages.ts';
import { ConflictError, type Actor, type ApprovalTask } from '../adapters/records-store.ts';
import { mapWithLimit } from '../shared/concurrency.ts';
import { log } from '../shared/log.ts';
import { decideTask, DecisionNotAllowed } from './decide-task.ts';

/** Decisions of one batch in flight at once: measured locally, 200 take a few seconds at 16 (see the route). */
export const BATCH_CONCURRENCY = 16;

export type BatchItem = { taskId: string; decision: Decision; reason?: string };
type Recorded = NonNullable<ApprovalTask['decision']>;

export type BatchOutcome = { taskId: string } & (
  | { outcome: 'DECIDED'; decision: Recorded }
  | { outcome: 'HELD'; decision: Recorded; frozen: { reason: string; endsAt: string } }
  | { outcome: 'ALREADY_DECIDED'; decision?: Recorded; error: { code: 'TASK_ALREADY_DECIDED' } }
  | { outcome: 'NOT_FOUND'; error: { code: 'TASK_NOT_FOUND' } }
  | { outcome: 'FORBIDDEN'; error: { code: 'FORBIDDEN_TIER' | 'FORBIDDEN_REGION' } }
  | { outcome: 'INVALID'; error: { code: 'VALIDATION_FAILED' | 'DECISION_NOT_FOR_TASK'; details: ValidationIssue[] } }
  | { outcome: 'FAILED'; error: { code: 'INTERNAL' | 'BATCH_TIME_EXCEEDED' } }
);

/**
 * Decides many tasks, each on its own through decideTask (recorded once, audited, resumed or held), a bounded
 * number at a time. Nothing is shared between items: one item's refusal or failure leaves the others as they are.
 * No item starts after `startBy` (epoch ms), so the whole batch ends within its function's time; those are FAILED
 * with BATCH_TIME_EXCEEDED and nothing of them is recorded.
 */
export async function decideTasks(
  deps: Parameters<typeof decideTask>[0],
  request: {
    items: readonly BatchItem[];
    actor: Actor;
    /** Whether the caller may decide this task (the single route's rule), or the refusal's code. */
    refusal: (task: ApprovalTask) => 'FORBIDDEN_TIER' | 'FORBIDDEN_REGION' | undefined;
    startBy: number;
    concurrency?: number;
  },
): Promise<BatchOutcome[]> {
  return mapWithLimit(request.items, request.concurrency ?? BATCH_CONCURRENCY, async (item): Promise<BatchOutcome> => {
    const { taskId } = item;
    if (Date.now() > request.startBy) return { taskId, outcome: 'FAILED', error: { code: 'BATCH_TIME_EXCEEDED' } };
    try {
      const task = await deps.store.getTask(taskId);
      if (!task) return { taskId, outcome: 'NOT_FOUND', error: { code: 'TASK_NOT_FOUND' } };
      const refusal = request.refusal(task);
      if (refusal) return { taskId, outcome: 'FORBIDDEN', error: { code: refusal } };
      const check = validateDecision({ decision: item.decision, ...(item.reason !== undefined ? { reason: item.reason } : {}) }, task.kind);
      if (!check.ok) {
        const notForTask = check.issues.some((issue) => issue.code === 'DECISION_NOT_ALLOWED');
        return { taskId, outcome: 'INVALID', error: { code: notForTask ? 'DECISION_NOT_FOR_TASK' : 'VALIDATION_FAILED', details: check.issues } };
      }
      if (task.status !== 'PENDING') return alreadyDecided(task);
      const decided = await decideTask(deps, {
        taskId,
        decision: check.decision.decision,
        ...(check.decision.reason ? { reason: check.decision.reason } : {}),
        actor: request.actor,
      });
      if ('frozen' in decided) return { taskId, outcome: 'HELD', decision: decided.decision!, frozen: decided.frozen };
      return { taskId, outcome: 'DECIDED', decision: decided.decision! };
    } catch (error) {
      if (error instanceof ConflictError && error.code === 'TASK_ALREADY_DECIDED') {
        const current = await deps.store.getTask(taskId).catch(() => undefined);
        return current ? alreadyDecided(current) : { taskId, outcome: 'ALREADY_DECIDED', error: { code: 'TASK_ALREADY_DECIDED' } };
      }
      if (error instanceof DecisionNotAllowed && error.code === 'TASK_NOT_FOUND') {
        return { taskId, outcome: 'NOT_FOUND', error: { code: 'TASK_NOT_FOUND' } };
      }
      // Names only: a message may quote a record. A decision recorded before the failure stays recorded.
      log('error', 'batch decision failed', { taskId, error: (error as Error)?.name });
      return { taskId, outcome: 'FAILED', error: { code: 'INTERNAL' } };
    }
  });
}

function alreadyDecided(task: ApprovalTask): BatchOutcome {
  return {
    taskId: task.taskId,
    outcome: 'ALREADY_DECIDED',
    ...(task.decision ? { decision: task.decision } : {}),
    error: { code: 'TASK_ALREADY_DECIDED' },
  };
}
