import { z } from 'zod';
import { issue } from '../domain/messages.ts';
import { TIER_LABELS } from '../domain/province-config.ts';
import type { ValidationIssue } from '../domain/messages.ts';
import { StageInput, stageHandler, systemActor, type StageDeps } from './shared/runtime.ts';
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
 * a rejected or returned one releases its locks and keeps its reasons. Returns the outcome event.
 */
export async function finalize(input: FinalizeInput, deps: StageDeps) {
  let proposal = await loadProposal(deps, input);
  if (IN_FLIGHT.includes(proposal.status)) {
    const expect = { version: proposal.version, status: IN_FLIGHT };
    if (!input.outcome) {
      const registeredAt = deps.now().toISOString();
      proposal = await deps.store.register(
        proposal.id,
        { expect, status: 'REGISTERED', stage: 'FINALIZED', tier: null, audit: { actor, action: 'REGISTERED' } },
        registeredAt,
      );
    } else {
      const returned = input.outcome.Error === WorkflowErrors.returned;
      const decisionReason = await approverReason(input.outcome.Cause, returned, deps);
      proposal = await deps.store.changeProposal(proposal.id, {
        expect,
        status: returned ? 'RETURNED' : 'REJECTED',
        stage: 'FINALIZED',
        tier: null,
        ...(decisionReason ? { reasons: [...proposal.reasons, decisionReason] } : {}),
        audit: { actor, action: returned ? 'RETURNED' : 'REJECTED', detail: { error: input.outcome.Error } },
      });
    }
  }
  if (proposal.status !== 'REGISTERED') await deps.store.releaseLocks(proposal.id, proposal.locks ?? []);

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

/** The approver's own words become the proposal's reason, so the village sees why. */
async function approverReason(
  cause: string | undefined,
  returned: boolean,
  deps: StageDeps,
): Promise<ValidationIssue | undefined> {
  const parsed = DecisionCause.safeParse(safeJson(cause));
  if (!parsed.success) return undefined;
  const task = await deps.store.getTask(parsed.data.taskId);
  if (!task?.decision) return undefined;
  return issue('', returned ? 'RETURNED_BY_APPROVER' : 'REJECTED_BY_APPROVER', {
    tier: TIER_LABELS[task.tier],
    reason: task.decision.reason ?? '',
  });
}

function safeJson(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export const handler = stageHandler('finalize', FinalizeInput, finalize);
