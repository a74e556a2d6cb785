import { identityKey } from '../domain/identity-hash.ts';
import { issue } from '../domain/messages.ts';
import type { Flag } from '../domain/proposal.ts';
import type { IdentityLock } from './adapters/records-store.ts';
import { identityKeyFromEnvironment } from './adapters/identity-key-source.ts';
import { ProposalReturned } from './shared/stage-errors.ts';
import { StageInput, stageHandler, systemActor, type StageDeps } from './shared/runtime.ts';
import { loadProposal } from './shared/proposals.ts';

const actor = systemActor('check-duplicates');

/**
 * Locks every member's NIK and the household's KK, as keyed hashes, all or none.
 * A number already held by another proposal in flight, or by a registered recipient, sends the proposal back.
 */
export async function checkDuplicates(input: StageInput, deps: StageDeps) {
  const proposal = await loadProposal(deps, input);
  if (proposal.stage !== 'DUPLICATE_CHECK') return { duplicates: 0 };

  const secret = await deps.identityKey();
  const locks: IdentityLock[] = [
    { kind: 'KK', hash: identityKey(secret, 'KK', proposal.household.kk), path: 'household.kk' },
    ...proposal.members.map((member, index) => ({
      kind: 'NIK' as const,
      hash: identityKey(secret, 'NIK', member.nik),
      path: `members.${index}.nik`,
    })),
  ];
  const expect = { version: proposal.version, status: ['SUBMITTED'] as const };
  // Record the locks before taking them, so a later failure can always release what was taken.
  await deps.store.changeProposal(proposal.id, {
    expect,
    status: 'SUBMITTED',
    stage: 'DUPLICATE_CHECK',
    locks,
    audit: { actor, action: 'LOCKS_REQUESTED', detail: { count: locks.length } },
  });

  const { conflicts } = await deps.store.acquireLocks(proposal.id, locks);
  if (conflicts.length > 0) {
    const duplicateFlags: Flag[] = conflicts.map((conflict) => ({
      code: conflict.kind === 'NIK' ? 'DUPLICATE_NIK' : 'DUPLICATE_KK',
      path: conflict.path,
      pointer: { proposalId: conflict.holder.proposalId, registered: conflict.holder.state === 'REGISTERED' },
    }));
    const reasons = conflicts.map((conflict) =>
      issue(conflict.path, conflict.kind === 'NIK' ? 'DUPLICATE_NIK' : 'DUPLICATE_KK', {
        proposalId: conflict.holder.proposalId,
      }),
    );
    await deps.store.changeProposal(proposal.id, {
      expect,
      status: 'SUBMITTED',
      stage: 'DUPLICATE_CHECK',
      reasons,
      flags: [...proposal.flags, ...duplicateFlags],
      audit: {
        actor,
        action: 'DUPLICATES_FOUND',
        detail: { duplicates: conflicts.map((c) => `${c.path}->${c.holder.proposalId}`) },
      },
    });
    throw new ProposalReturned(reasons.map((reason) => reason.code));
  }

  await deps.store.changeProposal(proposal.id, {
    expect,
    status: 'SUBMITTED',
    stage: 'EVIDENCE_CHECK',
    audit: { actor, action: 'LOCKS_ACQUIRED', detail: { count: locks.length } },
  });
  return { duplicates: 0 };
}

export const handler = stageHandler('check-duplicates', StageInput, checkDuplicates, {
  identityKey: identityKeyFromEnvironment,
});
