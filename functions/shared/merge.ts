import { mergeDifference, mergeTarget } from '../../domain/duplicates.ts';
import type { Flag } from '../../domain/proposal.ts';
import type { ProposalChange, StoredProposal } from '../adapters/records-store.ts';
import type { StageDeps } from './runtime.ts';

/**
 * What finalize adds to a proposal merged into the record it duplicates: a MERGED_INTO flag pointing at that record,
 * and an audit entry on the record itself in the same transaction. Both audits list what the merged proposal had
 * that the record lacks (member paths, programs); nothing is copied, an UPDATE of the record carries such changes.
 */
export async function mergeChange(
  proposal: StoredProposal,
  deps: Pick<StageDeps, 'store'>,
): Promise<{ flags: Flag[]; relatedAudit: NonNullable<ProposalChange['relatedAudit']>; detail: Record<string, unknown> }> {
  const targetId = mergeTarget(proposal);
  const target = targetId ? await deps.store.getProposal(targetId) : undefined;
  if (!target) throw new Error(`Proposal ${proposal.id} has no record to merge into`);
  const difference = mergeDifference(proposal, target);
  const flag: Flag = { code: 'MERGED_INTO', pointer: { proposalId: target.id, registered: target.status === 'REGISTERED' } };
  return {
    flags: [...proposal.flags, flag],
    relatedAudit: [{ proposalId: target.id, version: target.version, action: 'MERGED_FROM', detail: { proposalId: proposal.id, ...difference } }],
    detail: { mergedInto: target.id, ...difference },
  };
}
