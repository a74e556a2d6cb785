import { decisionFitsTask, type Decision, type DuplicateResolution } from '../../domain/decisions.ts';
import { activeFreezeFor } from '../../domain/freezes.ts';
import type { FreezeStore } from '../adapters/freeze-store.ts';
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
 * task token, which never leaves the server. approve/dismiss/unique/not_same_person continue; return/reject/uphold
 * end the proposal, and so does duplicate (merged or rejected, by its resolution).
 * In a frozen region the decision is recorded but HELD (with the freeze, `frozen`); the release sends it later.
 */
export async function decideTask(
  deps: { store: RecordsStore; freezes: FreezeStore; workflow: WorkflowEngine; now: () => Date },
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

  await resumeWorkflow(deps, task.taskId, request.decision, decided.token, request.resolution);
  const { token: _token, ...recorded } = decided;
  return recorded;
}

/** Token errors that mean the SLA lapsed between reading the task and resuming: a new token is on its way. */
const STALE_TOKEN = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export async function resumeWorkflow(
  deps: { store: RecordsStore; workflow: WorkflowEngine; waitMs?: number },
  taskId: string,
  decision: Decision,
  firstToken: string,
  resolution?: DuplicateResolution,
) {
  const cause = JSON.stringify({ taskId });
  const send = (token: string) => {
    switch (decision) {
      case 'approve':
      case 'dismiss':
      case 'unique':
      case 'not_same_person':
        return deps.workflow.sendTaskSuccess(token, { taskId, decision });
      case 'duplicate':
        return deps.workflow.sendTaskFailure(token, resolution === 'merge' ? WorkflowErrors.merged : WorkflowErrors.rejected, cause);
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
