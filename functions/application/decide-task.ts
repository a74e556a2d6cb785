import { decisionFitsTask, type Decision, type DuplicateResolution } from '../../domain/decisions.ts';
import { activeFreezeFor } from '../../domain/freezes.ts';
import type { FreezeStore } from '../adapters/freeze-store.ts';
import type { Actor, RecordsStore } from '../adapters/records-store.ts';
import { ConflictError } from '../adapters/records-store.ts';
import { log } from '../shared/log.ts';
import { deliverDecision } from './deliver-decision.ts';
import type { WorkflowEngine } from './workflow-engine.ts';

export class DecisionNotAllowed extends Error {
  override readonly name = 'DecisionNotAllowed';
  constructor(readonly code: 'TASK_NOT_FOUND' | 'DECISION_NOT_FOR_TASK') {
    super(code);
  }
}

/**
 * Records an approver's decision once (conditional write), audits it, and resumes the workflow through the
 * task token, which never leaves the server (application/deliver-decision.ts). approve/dismiss/unique/not_same_person
 * continue; return/reject/uphold end the proposal, and so does duplicate (merged or rejected, by its resolution).
 * In a frozen region the decision is recorded but HELD (with the freeze, `frozen`); the release sends it later.
 */
export async function decideTask(
  deps: { store: RecordsStore; freezes: FreezeStore; workflow: WorkflowEngine; now: () => Date; retryForMs?: number },
  request: { taskId: string; decision: Decision; reason?: string; resolution?: DuplicateResolution; actor: Actor },
) {
  const task = await deps.store.getTask(request.taskId);
  if (!task) throw new DecisionNotAllowed('TASK_NOT_FOUND');
  if (!decisionFitsTask(request.decision, task.kind)) throw new DecisionNotAllowed('DECISION_NOT_FOR_TASK');
  // A duplicate is merged or rejected, never left open (the API's schema asks for it; this guards other callers).
  if ((request.decision === 'duplicate') !== (request.resolution !== undefined)) throw new DecisionNotAllowed('DECISION_NOT_FOR_TASK');
  const resolution = request.resolution ? { resolution: request.resolution } : {};
  if (task.status !== 'PENDING') throw new ConflictError('The task was already decided', 'TASK_ALREADY_DECIDED');

  const now = deps.now();
  const freeze = activeFreezeFor(await deps.freezes.listFreezes({ endingAfter: now }), task.villageCode, now);
  if (freeze) {
    const decision = {
      decision: request.decision,
      ...(request.reason ? { reason: request.reason } : {}),
      ...resolution,
      decidedBy: request.actor.id,
      decidedAt: now.toISOString(),
    };
    const { token: _token, ...held } = await deps.freezes.holdDecision(task.taskId, decision, freeze, request.actor);
    return { ...held, frozen: { freezeId: freeze.freezeId, reason: freeze.reason, endsAt: freeze.endsAt } };
  }

  const decided = await deps.store.recordDecision(request.taskId, {
    decision: request.decision,
    ...(request.reason ? { reason: request.reason } : {}),
    ...resolution,
    decidedBy: request.actor.id,
    decidedAt: deps.now().toISOString(),
  });
  await deps.store.appendAudit({
    proposalId: task.proposalId,
    version: task.version,
    at: decided.decision!.decidedAt,
    actor: request.actor,
    action: 'DECISION_RECORDED',
    detail: { taskId: task.taskId, tier: task.tier, decision: request.decision, ...(request.reason ? { reason: request.reason } : {}), ...resolution },
  });

  // The token is the one the decision was recorded with; if it lapsed meanwhile, the workflow's re-ask sends it.
  const delivery = await deliverDecision(
    deps.workflow,
    { taskId: task.taskId, token: decided.token, decision: request.decision, resolution: request.resolution },
    deps.retryForMs === undefined ? {} : { retryForMs: deps.retryForMs },
  );
  if (delivery === 'lapsed') log('info', 'decision recorded as its task lapsed; the re-ask delivers it', { taskId: task.taskId });
  const { token: _token, ...recorded } = decided;
  return recorded;
}
