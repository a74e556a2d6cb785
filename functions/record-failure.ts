import { z } from 'zod';
import { StageInput, stageHandler, systemActor, type StageDeps } from './shared/runtime.ts';
import { log } from './shared/log.ts';
import { IN_FLIGHT } from './shared/proposals.ts';
import { WorkflowErrors } from './shared/stage-errors.ts';

const actor = systemActor('record-failure');

export const FailureInput = StageInput.extend({
  error: z.object({ Error: z.string(), Cause: z.string().optional() }),
});
export type FailureInput = z.infer<typeof FailureInput>;

/**
 * Catches what no other stage handled, so no proposal is ever stuck silently: the proposal is marked FAILED
 * with the error for an administrator, and its locks are released.
 */
export async function recordFailure(input: FailureInput, deps: StageDeps) {
  const code = ['States.Timeout', WorkflowErrors.slaExhausted].includes(input.error.Error) ? 'SLA_EXHAUSTED' : 'STAGE_FAILED';
  const proposal = await deps.store.getProposal(input.proposalId);
  if (!proposal) {
    log('error', 'workflow failed for a proposal that does not exist', { proposalId: input.proposalId, code });
    return { code };
  }
  if (IN_FLIGHT.includes(proposal.status)) {
    await deps.store.changeProposal(proposal.id, {
      expect: { version: proposal.version, status: [proposal.status] },
      status: 'FAILED',
      stage: proposal.stage,
      failure: { error: input.error.Error, ...(input.error.Cause ? { cause: input.error.Cause.slice(0, 1000) } : {}) },
      audit: { actor, action: 'WORKFLOW_FAILED', detail: { code, error: input.error.Error } },
    });
  }
  await deps.store.releaseLocks(proposal.id, proposal.locks ?? []);
  if (proposal.target) await deps.store.releaseTarget(proposal.target.proposalId, proposal.id, actor);
  log('error', 'proposal failed', { proposalId: proposal.id, code, error: input.error.Error });
  return { code };
}

export const handler = stageHandler('record-failure', FailureInput, recordFailure);
