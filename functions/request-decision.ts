import { z } from 'zod';
import { supervisorTier, tierRegionCode, TIERS } from '../domain/province-config.ts';
import { StageInput, daysFromNow, stageHandler, systemActor, type StageDeps } from './shared/runtime.ts';
import { loadProposal } from './shared/proposals.ts';
import { taskIdFor } from './shared/tasks.ts';
import { log } from './shared/log.ts';

const actor = systemActor('request-decision');

export const DecisionRequest = StageInput.extend({
  kind: z.enum(['approval', 'adjudication']),
  tier: z.enum(TIERS),
  taskToken: z.string().min(1),
});
export type DecisionRequest = z.infer<typeof DecisionRequest>;

/**
 * Puts an approval or adjudication task in the tier's inbox and lets the workflow wait on its token.
 * Called again with a new token after the SLA lapsed, it escalates the same task instead.
 */
export async function requestDecision(request: DecisionRequest, deps: StageDeps) {
  const proposal = await loadProposal(deps, request);
  const tierSettings = deps.config.tiers.find((entry) => entry.tier === request.tier);
  if (!tierSettings) throw new Error(`Tier ${request.tier} is not configured for this province`);
  const taskId = taskIdFor(request);
  const dueAt = daysFromNow(deps, tierSettings.slaDays);
  const escalatedTo = supervisorTier(deps.config, request.tier);
  const target =
    request.kind === 'approval'
      ? { status: 'AWAITING_APPROVAL' as const, stage: 'APPROVAL' as const }
      : { status: 'IN_REVIEW' as const, stage: 'ADJUDICATION' as const };
  const alreadyThere =
    proposal.status === target.status && proposal.stage === target.stage && proposal.tier === request.tier;
  // The proposal moves first, so nobody sees a task in an inbox whose proposal is not yet waiting for it.
  if (!alreadyThere) {
    await deps.store.changeProposal(proposal.id, {
      expect: { version: proposal.version, status: ['IN_REVIEW', 'AWAITING_APPROVAL'] },
      ...target,
      tier: request.tier,
      audit: { actor, action: 'TASK_OPENED', detail: { taskId, kind: request.kind, tier: request.tier, dueAt } },
    });
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
  } else if (outcome === 'redelivered') {
    log('info', 'decided task asked again after its SLA lapsed', { taskId, tier: request.tier });
  }
  return { taskId, outcome };
}

export const handler = stageHandler('request-decision', DecisionRequest, requestDecision);
