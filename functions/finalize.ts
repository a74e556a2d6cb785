import { z } from 'zod';
import { issue } from '../domain/messages.ts';
import { TIER_LABELS } from '../domain/province-config.ts';
import type { ValidationIssue } from '../domain/messages.ts';
import { StageInput, stageHandler, systemActor, type StageDeps } from './shared/runtime.ts';
import { mergeTarget } from '../domain/duplicates.ts';
import type { Proposal } from '../domain/proposal.ts';
import { mergeChange } from './shared/merge.ts';
import { IN_FLIGHT, loadProposal } from './shared/proposals.ts';
import { WorkflowErrors } from './shared/stage-errors.ts';

const actor = systemActor('finalize');

/** What a Catch puts in `$.outcome`: the error name and, for approver decisions, the task that decided. */
export const FinalizeInput = StageInput.extend({
  outcome: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
});
export type FinalizeInput = z.infer<typeof FinalizeInput>;

/** Cause of a SendTaskFailure from a decision: only the task id, the reason stays in DynamoDB. */
export const DecisionCause = z.object({ taskId: z.string() });

/**
 * Ends the proposal: an approved one registers its members (the NIK locks become registrations);
 * a rejected, returned or merged one releases its locks and keeps its reasons. Returns the outcome event.
 */
export async function finalize(input: FinalizeInput, deps: StageDeps) {
  let proposal = await loadProposal(deps, input);
  if (IN_FLIGHT.includes(proposal.status)) {
    const expect = { version: proposal.version, status: IN_FLIGHT };
    if (!input.outcome) {
      const registeredAt = deps.now().toISOString();
      const registered = { expect, status: 'REGISTERED', stage: 'FINALIZED', tier: null, audit: { actor, action: 'REGISTERED' } } as const;
      // A REMOVE ends its target's registration, an UPDATE takes its target's place; both in one transaction.
      proposal =
        proposal.type === 'REMOVE' || proposal.type === 'UPDATE'
          ? await deps.store.completeChange(proposal.id, registered, registeredAt)
          : await deps.store.register(proposal.id, registered, registeredAt);
    } else {
      const ended = ENDED_BY[input.outcome.Error] ?? 'REJECTED';
      const decisionReason = await approverReason(input.outcome.Cause, ended, proposal, deps);
      const merge = ended === 'MERGED' ? await mergeChange(proposal, deps) : undefined;
      proposal = await deps.store.changeProposal(proposal.id, {
        expect,
        status: ended,
        stage: 'FINALIZED',
        tier: null,
        ...(decisionReason ? { reasons: [...proposal.reasons, decisionReason] } : {}),
        ...(merge ? { flags: merge.flags, relatedAudit: merge.relatedAudit } : {}),
        audit: { actor, action: ended, detail: { error: input.outcome.Error, ...merge?.detail } },
      });
    }
  }
  if (proposal.status !== 'REGISTERED') {
    await deps.store.releaseLocks(proposal.id, proposal.locks ?? []);
    if (proposal.target) await deps.store.releaseTarget(proposal.target.proposalId, proposal.id, actor);
  }

  return {
    proposalId: proposal.id,
    version: proposal.version,
    outcome: proposal.status,
    provinceCode: proposal.provinceCode,
    regencyCode: proposal.regencyCode,
    villageCode: proposal.villageCode,
    programs: proposal.programs,
    members: proposal.members.length,
    at: proposal.updatedAt,
  };
}

/** The status each business outcome ends the proposal in (anything else an approver ends is REJECTED). */
const ENDED_BY: Readonly<Record<string, 'RETURNED' | 'REJECTED' | 'MERGED'>> = {
  [WorkflowErrors.returned]: 'RETURNED',
  [WorkflowErrors.rejected]: 'REJECTED',
  [WorkflowErrors.merged]: 'MERGED',
};

/** The approver's own words become the proposal's reason, so the village sees why (and, for a duplicate, of what). */
async function approverReason(
  cause: string | undefined,
  ended: 'RETURNED' | 'REJECTED' | 'MERGED',
  proposal: Proposal,
  deps: StageDeps,
): Promise<ValidationIssue | undefined> {
  const parsed = DecisionCause.safeParse(safeJson(cause));
  if (!parsed.success) return undefined;
  const task = await deps.store.getTask(parsed.data.taskId);
  if (!task?.decision) return undefined;
  const params = { tier: TIER_LABELS[task.tier], reason: task.decision.reason ?? '' };
  if (task.kind === 'duplicate') {
    const code = ended === 'MERGED' ? 'MERGED_AS_DUPLICATE' : 'REJECTED_AS_DUPLICATE';
    return issue('', code, { ...params, proposalId: mergeTarget(proposal) ?? '' });
  }
  if (task.kind === 'appeal') return issue('', 'APPEAL_REJECTED', params);
  return issue('', ended === 'RETURNED' ? 'RETURNED_BY_APPROVER' : 'REJECTED_BY_APPROVER', params);
}

function safeJson(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export const handler = stageHandler('finalize', FinalizeInput, finalize);
