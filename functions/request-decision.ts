import { z } from 'zod';
import { TASK_KINDS, type TaskKind } from '../domain/decisions.ts';
import type { Stage, Status } from '../domain/lifecycle.ts';
import { supervisorTier, tierRegionCode, TIERS } from '../domain/province-config.ts';
import { DAY_MS, StageInput, daysFromNow, stageHandler, systemActor, type StageDeps } from './shared/runtime.ts';
import { stepFunctionsCallbacks } from './adapters/step-functions-engine.ts';
import { deliverDecision } from './application/deliver-decision.ts';
import { pauseSlaIfFrozen } from './application/pause-sla.ts';
import { SlaExhausted } from './shared/stage-errors.ts';
import { loadProposal } from './shared/proposals.ts';
import { taskIdFor } from './shared/tasks.ts';
import { log } from './shared/log.ts';

const actor = systemActor('request-decision');

export const DecisionRequest = StageInput.extend({
  kind: z.enum(TASK_KINDS),
  tier: z.enum(TIERS),
  taskToken: z.string().min(1),
});
export type DecisionRequest = z.infer<typeof DecisionRequest>;

/** Where each kind of task holds the proposal while it waits, and the statuses it may come from. */
const TASK_TARGETS: Readonly<Record<TaskKind, { status: Status; stage: Stage; from: readonly Status[] }>> = {
  approval: { status: 'AWAITING_APPROVAL', stage: 'APPROVAL', from: ['IN_REVIEW', 'AWAITING_APPROVAL', 'APPEALED'] },
  adjudication: { status: 'IN_REVIEW', stage: 'ADJUDICATION', from: ['IN_REVIEW', 'AWAITING_APPROVAL'] },
  duplicate: { status: 'SUBMITTED', stage: 'DUPLICATE_ADJUDICATION', from: ['SUBMITTED'] },
  appeal: { status: 'APPEALED', stage: 'APPEAL', from: ['APPEALED'] },
};

/**
 * Puts a task (approval, objection, suspected duplicate, appeal) in the tier's inbox and lets the workflow wait on its token.
 * Called again with a new token after the SLA lapsed, it escalates the same task instead; if the task was decided
 * as it lapsed, it sends that decision with the new token (a held decision waits for its freeze to end).
 */
export async function requestDecision(request: DecisionRequest, deps: StageDeps) {
  const proposal = await loadProposal(deps, request);
  const tierSettings = deps.config.tiers.find((entry) => entry.tier === request.tier);
  if (!tierSettings) throw new Error(`Tier ${request.tier} is not configured for this province`);
  const taskId = taskIdFor(request);
  const dueAt = daysFromNow(deps, tierSettings.slaDays);
  const escalatedTo = supervisorTier(deps.config, request.tier);
  const { from, ...target } = TASK_TARGETS[request.kind];
  const alreadyThere =
    proposal.status === target.status && proposal.stage === target.stage && proposal.tier === request.tier;
  // The proposal moves first, so nobody sees a task in an inbox whose proposal is not yet waiting for it.
  if (!alreadyThere) {
    await deps.store.changeProposal(proposal.id, {
      expect: { version: proposal.version, status: from },
      ...target,
      tier: request.tier,
      audit: { actor, action: 'TASK_OPENED', detail: { taskId, kind: request.kind, tier: request.tier, dueAt } },
    });
  }

  const existing = await deps.store.getTask(taskId);
  if (existing && existing.token !== request.taskToken && existing.status !== 'DECIDED') {
    // The SLA lapsed. Frozen time does not count against it; otherwise escalate, within the budget.
    const slaMs = tierSettings.slaDays * DAY_MS * deps.timeScale;
    const paused = await pauseSlaIfFrozen(deps, existing, request.taskToken, slaMs, actor);
    if (paused) {
      log('info', 'SLA paused by a freeze', { taskId, tier: request.tier, dueAt: paused.dueAt });
      return { taskId, outcome: 'paused' as const };
    }
    if (existing.status === 'PENDING' && existing.escalations >= deps.config.maxEscalations) throw new SlaExhausted(taskId);
  }

  const { outcome, task } = await deps.store.openOrEscalateTask(
    {
      taskId,
      proposalId: proposal.id,
      version: proposal.version,
      kind: request.kind,
      tier: request.tier,
      regionCode: tierRegionCode(request.tier, proposal.villageCode),
      villageCode: proposal.villageCode,
      createdAt: deps.now().toISOString(),
      dueAt,
    },
    request.taskToken,
    escalatedTo,
  );
  if (outcome === 'escalated') {
    log('warn', 'task escalated', { taskId, tier: request.tier, escalations: task.escalations });
    await deps.store.changeProposal(proposal.id, {
      expect: { version: proposal.version, status: [target.status] },
      ...target,
      tier: request.tier,
      audit: {
        actor,
        action: 'TASK_ESCALATED',
        detail: { taskId, tier: request.tier, escalations: task.escalations, escalatedTo, dueAt: task.dueAt },
      },
    });
  } else if (outcome === 'redelivered' && task.status === 'DECIDED' && task.decision) {
    // The decision met the lapsed token, or none at all: this token is the first it can reach the workflow with.
    const { decision, resolution } = task.decision;
    const delivery = await deliverDecision(deps.workflow, { taskId, token: request.taskToken, decision, resolution });
    log('info', 'decision of a lapsed task sent with the new token', { taskId, tier: request.tier, delivery });
  }
  return { taskId, outcome };
}

export const handler = stageHandler('request-decision', DecisionRequest, requestDecision, { workflow: stepFunctionsCallbacks });
