import { maySeeDuplicateCounterpart, type Caller } from '../../domain/access.ts';
import { suspectedDuplicates } from '../../domain/duplicates.ts';
import { maskKk, maskedMember } from '../../domain/masking.ts';
import type { Proposal } from '../../domain/proposal.ts';
import type { ApprovalTask, RecordsStore } from '../adapters/records-store.ts';

/** A record as the adjudicator compares it: masked identity numbers, no documents or history. */
function side(proposal: Proposal) {
  return {
    proposalId: proposal.id,
    status: proposal.status,
    villageCode: proposal.villageCode,
    household: {
      kkMasked: maskKk(proposal.household.kk),
      address: proposal.household.address,
      rt: proposal.household.rt,
      rw: proposal.household.rw,
    },
    members: proposal.members.map(maskedMember),
    programs: [...proposal.programs],
  };
}

/** Where the number at `path` of the proposal sits in the other record; compared here, never sent. */
function counterpartPath(proposal: Proposal, path: string, other: Proposal): string | null {
  if (path === 'household.kk') return other.household.kk === proposal.household.kk ? 'household.kk' : null;
  const nik = proposal.members[Number(path.split('.')[1])]?.nik;
  const index = other.members.findIndex((member) => member.nik === nik);
  return index === -1 ? null : `members.${index}.nik`;
}

/**
 * Both records of a duplicate task, side by side, for a caller who may decide it; undefined for any other task or
 * caller. The other records are read from the proposal's duplicate flags, as check-duplicates found them.
 */
export async function duplicateComparison(
  store: RecordsStore,
  caller: Caller,
  task: Pick<ApprovalTask, 'kind' | 'proposalId' | 'regionCode' | 'tier'>,
  proposal?: Proposal,
) {
  if (task.kind !== 'duplicate' || !maySeeDuplicateCounterpart(caller, task)) return undefined;
  const subject = proposal ?? (await store.getProposal(task.proposalId));
  if (!subject) return undefined;
  const suspected = suspectedDuplicates(subject);
  const holders = [...new Set(suspected.map((entry) => entry.proposalId))];
  const others = await Promise.all(holders.map((id) => store.getProposal(id)));
  return {
    proposal: side(subject),
    counterparts: others.flatMap((other) =>
      other
        ? [
            {
              ...side(other),
              registered: other.status === 'REGISTERED',
              matches: suspected
                .filter((entry) => entry.proposalId === other.id)
                .map((entry) => ({ path: entry.path, counterpartPath: counterpartPath(subject, entry.path, other) })),
            },
          ]
        : [],
    ),
  };
}
