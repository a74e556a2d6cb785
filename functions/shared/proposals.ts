import type { Status } from '../../domain/lifecycle.ts';
import type { StageDeps, StageInput } from './runtime.ts';

/** Statuses in which a workflow execution is still working on the proposal (an appeal's execution: APPEALED). */
export const IN_FLIGHT: readonly Status[] = ['SUBMITTED', 'IN_REVIEW', 'AWAITING_APPROVAL', 'APPEALED'];

export class ProposalMissing extends Error {
  override readonly name = 'Verval.ProposalMissing';
}

/** The proposal version this execution runs for; a missing or superseded version is a permanent failure. */
export async function loadProposal(deps: Pick<StageDeps, 'store'>, input: StageInput) {
  const proposal = await deps.store.getProposal(input.proposalId);
  if (!proposal) throw new ProposalMissing(`Proposal ${input.proposalId} does not exist`);
  if (proposal.version !== input.version) {
    throw new ProposalMissing(`Proposal ${input.proposalId} is at version ${proposal.version}, not ${input.version}`);
  }
  return proposal;
}
