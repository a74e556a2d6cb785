import { decisionFitsTask, type Decision } from '../../domain/decisions.ts';
import type { Actor, RecordsStore } from '../adapters/records-store.ts';
import { ConflictError } from '../adapters/records-store.ts';
import { WorkflowErrors } from '../shared/stage-errors.ts';
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

  const cause = JSON.stringify({ taskId: task.taskId });
  switch (request.decision) {
    case 'approve':
    case 'dismiss':
      await deps.workflow.sendTaskSuccess(decided.token, { taskId: task.taskId, decision: request.decision });
      break;
    case 'return':
      await deps.workflow.sendTaskFailure(decided.token, WorkflowErrors.returned, cause);
      break;
    case 'reject':
    case 'uphold':
      await deps.workflow.sendTaskFailure(decided.token, WorkflowErrors.rejected, cause);
      break;
  }
  const { token: _token, ...recorded } = decided;
  return recorded;
}
