import { adjudicatedFlags, duplicateAdjudicationTier, suspectedDuplicates } from '../domain/duplicates.ts';
import { identityKey } from '../domain/identity-hash.ts';
import { issue } from '../domain/messages.ts';
import type { Flag } from '../domain/proposal.ts';
import type { IdentityLock, LockConflict, StoredProposal } from './adapters/records-store.ts';
import { identityKeyFromEnvironment } from './adapters/identity-key-source.ts';
import { claimTarget, inheritedLocks } from './shared/change-cases.ts';
import { NeedsAdjudication, ProposalReturned } from './shared/stage-errors.ts';
import { StageInput, stageHandler, systemActor, type StageDeps } from './shared/runtime.ts';
import { loadProposal } from './shared/proposals.ts';
import { taskIdFor } from './shared/tasks.ts';

const actor = systemActor('check-duplicates');

/**
 * Locks every member's NIK and the household's KK, as keyed hashes, all or none.
 * A number already held by another proposal in flight, or by a registered recipient, is a suspected duplicate: the
 * proposal is flagged and goes to the duplicate tier (NeedsAdjudication). The workflow comes back here once that
 * tier found it `unique` or `not_same_person`, to apply the decision (applyAdjudication).
 * A REMOVE or UPDATE first claims its target (shared/change-cases.ts); a REMOVE takes no locks, and an UPDATE does
 * not count the numbers its target holds as duplicates.
 */
export async function checkDuplicates(input: StageInput, deps: StageDeps) {
  const proposal = await loadProposal(deps, input);
  if (proposal.stage === 'DUPLICATE_ADJUDICATION') return applyAdjudication(proposal, deps);
  if (proposal.stage !== 'DUPLICATE_CHECK') return { duplicates: 0 };
  await claimTarget(proposal, deps, actor);
  const expect = { version: proposal.version, status: ['SUBMITTED'] as const };
  if (proposal.type === 'REMOVE') {
    // A removal registers no one: it needs its target, not identity locks.
    await deps.store.changeProposal(proposal.id, { expect, status: 'SUBMITTED', stage: 'EVIDENCE_CHECK', audit: { actor, action: 'TARGET_CLAIMED' } });
    return { duplicates: 0 };
  }

  const secret = await deps.identityKey();
  const locks: IdentityLock[] = [
    { kind: 'KK', hash: identityKey(secret, 'KK', proposal.household.kk), path: 'household.kk' },
    ...proposal.members.map((member, index) => ({
      kind: 'NIK' as const,
      hash: identityKey(secret, 'NIK', member.nik),
      path: `members.${index}.nik`,
    })),
  ];
  // Record the locks before taking them, so a later failure can always release what was taken.
  await deps.store.changeProposal(proposal.id, {
    expect,
    status: 'SUBMITTED',
    stage: 'DUPLICATE_CHECK',
    locks,
    audit: { actor, action: 'LOCKS_REQUESTED', detail: { count: locks.length } },
  });

  const inherited = await inheritedLocks(deps, proposal, locks);
  const { conflicts } = await deps.store.acquireLocks(proposal.id, locks.filter((lock) => !inherited.has(lock)));
  if (conflicts.length > 0) {
    // Nothing was taken (all or none); the flags point the adjudicator at the other records.
    await deps.store.changeProposal(proposal.id, {
      expect,
      status: 'SUBMITTED',
      stage: 'DUPLICATE_CHECK',
      flags: [...proposal.flags, ...conflicts.map(duplicateFlag)],
      audit: { actor, action: 'DUPLICATES_FOUND', detail: { duplicates: conflicts.map(conflictLabel) } },
    });
    throw new NeedsAdjudication(conflicts.map(conflictLabel));
  }

  await deps.store.changeProposal(proposal.id, {
    expect,
    status: 'SUBMITTED',
    stage: 'EVIDENCE_CHECK',
    audit: { actor, action: 'LOCKS_ACQUIRED', detail: { count: locks.length } },
  });
  return { duplicates: 0 };
}

const duplicateCode = (conflict: LockConflict) => (conflict.kind === 'NIK' ? 'DUPLICATE_NIK' : 'DUPLICATE_KK');
const conflictLabel = (conflict: LockConflict) => `${conflict.path}->${conflict.holder.proposalId}`;

function duplicateFlag(conflict: LockConflict): Flag {
  return {
    code: duplicateCode(conflict),
    path: conflict.path,
    pointer: { proposalId: conflict.holder.proposalId, registered: conflict.holder.state === 'REGISTERED' },
  };
}

/**
 * After `unique` or `not_same_person`: the proposal takes every lock it can and shares, as an adjudicated exception
 * recorded on the lock (`sharedWith`), each lock still held by the record the adjudicator compared it with. A lock
 * that was freed meanwhile is simply taken. Its `locks` then list only what it holds, so registration turns exactly
 * those into registrations and never overwrites another holder. A conflict the adjudicator did not see (a third
 * record took a number meanwhile) returns the proposal: the task of this version is decided and cannot ask again.
 */
async function applyAdjudication(proposal: StoredProposal, deps: StageDeps) {
  const taskId = taskIdFor({ proposalId: proposal.id, version: proposal.version, kind: 'duplicate', tier: duplicateAdjudicationTier(deps.config) });
  const decision = (await deps.store.getTask(taskId))?.decision?.decision;
  if (decision !== 'unique' && decision !== 'not_same_person') {
    throw new Error(`Task ${taskId} is not decided unique or not_same_person`);
  }
  const locks = proposal.locks ?? [];
  const adjudicated = new Map(suspectedDuplicates(proposal).map((entry) => [entry.path, entry.proposalId]));
  const { conflicts } = await deps.store.acquireLocks(proposal.id, locks);
  const shared = conflicts.filter((conflict) => adjudicated.get(conflict.path) === conflict.holder.proposalId);
  const sharedPaths = new Set(shared.map((conflict) => conflict.path));
  const held = locks.filter((lock) => !sharedPaths.has(lock.path));
  const unseen = [...conflicts.filter((conflict) => !sharedPaths.has(conflict.path))];
  if (unseen.length === 0 && shared.length > 0) unseen.push(...(await deps.store.acquireLocks(proposal.id, held)).conflicts);

  const expect = { version: proposal.version, status: ['SUBMITTED'] as const };
  if (unseen.length > 0) {
    const reasons = unseen.map((conflict) => issue(conflict.path, duplicateCode(conflict), { proposalId: conflict.holder.proposalId }));
    await deps.store.changeProposal(proposal.id, {
      expect,
      status: 'SUBMITTED',
      stage: 'DUPLICATE_ADJUDICATION',
      reasons,
      flags: [...proposal.flags, ...unseen.map(duplicateFlag)],
      audit: { actor, action: 'DUPLICATES_FOUND', detail: { duplicates: unseen.map(conflictLabel), afterAdjudication: true } },
    });
    throw new ProposalReturned(reasons.map((reason) => reason.code));
  }

  await deps.store.shareLocks(proposal.id, shared);
  const holders = await Promise.all(
    [...new Set(shared.map((conflict) => conflict.holder.proposalId))].map((id) => deps.store.getProposal(id)),
  );
  await deps.store.changeProposal(proposal.id, {
    expect,
    status: 'SUBMITTED',
    stage: 'EVIDENCE_CHECK',
    locks: held,
    flags: [...proposal.flags, ...adjudicatedFlags(proposal, decision, taskId, sharedPaths)],
    audit: {
      actor,
      action: 'LOCKS_ACQUIRED',
      detail: { count: held.length, shared: shared.map(conflictLabel), decision, taskId },
    },
    // The records this one now shares a number with learn of it in their own history.
    relatedAudit: holders.flatMap((holder) =>
      holder
        ? [{ proposalId: holder.id, version: holder.version, action: 'LOCK_SHARED', detail: { with: proposal.id, decision, taskId } }]
        : [],
    ),
  });
  return { duplicates: shared.length };
}

export const handler = stageHandler('check-duplicates', StageInput, checkDuplicates, {
  identityKey: identityKeyFromEnvironment,
});
