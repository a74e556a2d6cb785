import { issue } from '../../domain/messages.ts';
import { targetIssues } from '../../domain/proposal-types.ts';
import type { Actor, IdentityLock, StoredProposal } from '../adapters/records-store.ts';
import type { StageDeps } from './runtime.ts';
import { ProposalReturned } from './stage-errors.ts';

/*
 * A REMOVE or UPDATE is a case against one registered record, and a record has at most one case open at a time:
 * the duplicate check claims it (`openCase` on the record), finalize releases or completes it.
 */

/**
 * Claims the proposal's target for it, or sends the proposal back with why it cannot be (another case holds the
 * record, or it ended or was corrected meanwhile). Nothing to claim for an ADD.
 */
export async function claimTarget(proposal: StoredProposal, deps: Pick<StageDeps, 'store'>, actor: Actor): Promise<void> {
  if (proposal.type === 'ADD' || !proposal.target) return;
  const claim = await deps.store.claimTarget(proposal.target.proposalId, proposal.id, actor);
  if (claim.claimed) return;
  const found = targetIssues(claim.target, proposal.villageCode, proposal.id);
  const reasons = found.length > 0 ? found : [issue('target.proposalId', 'TARGET_CASE_OPEN')];
  await deps.store.changeProposal(proposal.id, {
    expect: { version: proposal.version, status: ['SUBMITTED'] },
    status: 'SUBMITTED',
    stage: proposal.stage,
    reasons,
    audit: { actor, action: 'TARGET_UNAVAILABLE', detail: { codes: reasons.map((reason) => reason.code) } },
  });
  throw new ProposalReturned(reasons.map((reason) => reason.code));
}

/**
 * The locks among `locks` that an UPDATE's target holds: the correction's own NIKs and KK, registered to the record
 * it replaces, are no duplicates. They pass to the UPDATE when it completes (RecordsStore.completeChange).
 */
export async function inheritedLocks(deps: Pick<StageDeps, 'store'>, proposal: StoredProposal, locks: IdentityLock[]): Promise<Set<IdentityLock>> {
  if (proposal.type !== 'UPDATE' || !proposal.target) return new Set();
  const target = await deps.store.getProposal(proposal.target.proposalId);
  const held = new Set((target?.locks ?? []).map((lock) => `${lock.kind}#${lock.hash}`));
  return new Set(locks.filter((lock) => held.has(`${lock.kind}#${lock.hash}`)));
}
