import type { DuplicateResolution } from './decisions.ts';
import type { Flag, Proposal } from './proposal.ts';
import type { ProvinceConfig, Tier } from './province-config.ts';

/*
 * Suspected duplicates: a NIK or KK of a proposal already held by another record (in flight or registered).
 * The regency social office adjudicates them (the tier that runs the Dinas Sosial's data checks); a province that
 * does not configure that tier leaves it to its top tier.
 */

export function duplicateAdjudicationTier(config: ProvinceConfig): Tier {
  return config.tiers.some(({ tier }) => tier === 'regency') ? 'regency' : config.tiers.at(-1)!.tier;
}

/** Flags check-duplicates raises for a number held by another record. */
export const DUPLICATE_FLAG_CODES = ['DUPLICATE_NIK', 'DUPLICATE_KK'] as const;

/** The numbers in conflict, by proposal path, with the record holding each (from the proposal's duplicate flags). */
export function suspectedDuplicates(proposal: Pick<Proposal, 'flags'>): { path: string; proposalId: string; registered: boolean }[] {
  return proposal.flags.flatMap((flag) =>
    (DUPLICATE_FLAG_CODES as readonly string[]).includes(flag.code) && flag.path && flag.pointer?.proposalId
      ? [{ path: flag.path, proposalId: flag.pointer.proposalId, registered: flag.pointer.registered === true }]
      : [],
  );
}

/**
 * The record a `duplicate` + `merge` decision merges the proposal into: the holder of its KK if that is in conflict
 * (the household is the register's unit), else the holder of its first conflicting NIK.
 */
export function mergeTarget(proposal: Pick<Proposal, 'flags'>): string | undefined {
  const suspected = suspectedDuplicates(proposal);
  return (suspected.find((entry) => entry.path === 'household.kk') ?? suspected[0])?.proposalId;
}

/**
 * What the merged proposal carried that the record it merges into lacks: members (by their path in the proposal,
 * never their NIK) and programs. Nothing is copied over: changing a record takes an UPDATE with its own evidence and
 * approval, so the village sees here what to propose.
 */
export function mergeDifference(
  merged: Pick<Proposal, 'members' | 'programs'>,
  into: Pick<Proposal, 'members' | 'programs'>,
): { extraMembers: string[]; extraPrograms: string[] } {
  const known = new Set(into.members.map((member) => member.nik));
  return {
    extraMembers: merged.members.flatMap((member, index) => (known.has(member.nik) ? [] : [`members.${index}`])),
    extraPrograms: merged.programs.filter((program) => !into.programs.includes(program)),
  };
}

/**
 * Flags a proceeding proposal carries after adjudication, one per number that was in conflict: the decision, and for
 * `not_same_person` a request that Dukcapil correct the number (two people cannot keep one NIK or KK).
 */
export function adjudicatedFlags(
  proposal: Pick<Proposal, 'flags'>,
  decision: 'unique' | 'not_same_person',
  taskId: string,
  shared: ReadonlySet<string>,
): Flag[] {
  return suspectedDuplicates(proposal).flatMap(({ path, proposalId, registered }) => {
    const pointer = { proposalId, registered };
    const adjudicated: Flag = {
      code: 'DUPLICATE_ADJUDICATED',
      path,
      pointer,
      detail: { decision, taskId, sharedLock: shared.has(path) },
    };
    return decision === 'not_same_person'
      ? [adjudicated, { code: 'DUKCAPIL_CORRECTION_NEEDED', path, pointer }]
      : [adjudicated];
  });
}

export type DuplicateOutcome = 'proceed' | 'merged' | 'rejected';

/** What a duplicate decision does to the proposal. */
export function duplicateOutcome(decision: string, resolution?: DuplicateResolution): DuplicateOutcome {
  if (decision === 'unique' || decision === 'not_same_person') return 'proceed';
  return resolution === 'merge' ? 'merged' : 'rejected';
}
