import { decisionFitsTask, type Decision } from '../../domain/decisions.ts';
import type { Actor, RecordsStore } from '../adapters/records-store.ts';
import { ConflictError } from '../adapters/records-store.ts';
import { isTransient, WorkflowErrors } from '../shared/stage-errors.ts';
import type { WorkflowEngine } from './workflow-engine.ts';

export class DecisionNotAllowed extends Error {
  override readonly name = 'DecisionNotAllowed';
  constructor(readonly code: 'TASK_NOT_FOUND' | 'DECISION_NOT_FOR_TASK') {
    super(code);
  }
}

/**
 * Records an approver's decision once (conditional write), audits it, and resumes the workflow through the
 * task token, which never leaves the server. approve/dismiss continue; return/reject/uphold end the proposal.
 */
export async function decideTask(
  deps: { store: RecordsStore; workflow: WorkflowEngine; now: () => Date },
  request: { taskId: string; decision: Decision; reason?: string; actor: Actor },
) {
  const task = await deps.store.getTask(request.taskId);
  if (!task) throw new DecisionNotAllowed('TASK_NOT_FOUND');
  if (!decisionFitsTask(request.decision, task.kind)) throw new DecisionNotAllowed('DECISION_NOT_FOR_TASK');
  if (task.status !== 'PENDING') throw new ConflictError('The task was already decided', 'TASK_ALREADY_DECIDED');

  const decided = await deps.store.recordDecision(request.taskId, {
    decision: request.decision,
    ...(request.reason ? { reason: request.reason } : {}),
    decidedBy: request.actor.id,
    decidedAt: deps.now().toISOString(),
  });
  await deps.store.appendAudit({
    proposalId: task.proposalId,
    version: task.version,
    at: decided.decision!.decidedAt,
    actor: request.actor,
    action: 'DECISION_RECORDED',
    detail: { taskId: task.taskId, tier: task.tier, decision: request.decision, ...(request.reason ? { reason: request.reason } : {}) },
  });

  await resumeWorkflow(deps, task.taskId, request.decision, decided.token);
  const { token: _token, ...recorded } = decided;
  return recorded;
}

/** Token errors that mean the SLA lapsed between reading the task and resuming: a new token is on its way. */
const STALE_TOKEN = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

async function resumeWorkflow(
  deps: { store: RecordsStore; workflow: WorkflowEngine; waitMs?: number },
  taskId: string,
  decision: Decision,
  firstToken: string,
) {
  const cause = JSON.stringify({ taskId });
  const send = (token: string) => {
    switch (decision) {
      case 'approve':
      case 'dismiss':
        return deps.workflow.sendTaskSuccess(token, { taskId, decision });
      case 'return':
        return deps.workflow.sendTaskFailure(token, WorkflowErrors.returned, cause);
      case 'reject':
      case 'uphold':
        return deps.workflow.sendTaskFailure(token, WorkflowErrors.rejected, cause);
    }
  };
  let token = firstToken;
  const deadline = Date.now() + (deps.waitMs ?? 15_000);
  for (;;) {
    try {
      return await send(token);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      // Throttling or a 5xx from Step Functions: the same token is still good, try it again shortly.
      if (isTransient(error)) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      if (!STALE_TOKEN.has((error as Error).name)) throw error;
    }
    // The escalation stores the next token on the decided task; wait for it rather than lose the decision.
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const current = await deps.store.getTask(taskId);
      if (current && current.token !== token) {
        token = current.token;
        break;
      }
      if (Date.now() > deadline) throw new Error(`The workflow did not ask again for task ${taskId}`);
    }
  }
}
