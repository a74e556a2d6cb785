import { describe, expect, it } from 'vitest';
import { adjudicatedFlags, duplicateAdjudicationTier, mergeDifference, mergeTarget, suspectedDuplicates } from '../../domain/duplicates.ts';
import { provinceConfig } from '../../domain/province-config.ts';
import { householdProposal } from '../support/proposals.ts';

const flags = [
  { code: 'PHOTO_DISTANCE', path: 'documents.house-front' },
  { code: 'DUPLICATE_NIK', path: 'members.2.nik', pointer: { proposalId: 'A', registered: true } },
  { code: 'DUPLICATE_KK', path: 'household.kk', pointer: { proposalId: 'B', registered: false } },
];

describe('suspected duplicates', () => {
  it('are adjudicated by the regency, or by the top tier where the province has no regency tier', () => {
    expect(duplicateAdjudicationTier(provinceConfig('81'))).toBe('regency');
    expect(duplicateAdjudicationTier(provinceConfig('81', { tiers: [{ tier: 'village', slaDays: 5 }, { tier: 'district', slaDays: 5 }], adjudicationTier: 'district' }))).toBe('district');
  });

  it('are read from the duplicate flags, and a merge goes into the holder of the KK first', () => {
    expect(suspectedDuplicates({ flags })).toEqual([
      { path: 'members.2.nik', proposalId: 'A', registered: true },
      { path: 'household.kk', proposalId: 'B', registered: false },
    ]);
    expect(mergeTarget({ flags })).toBe('B');
    expect(mergeTarget({ flags: flags.slice(0, 2) })).toBe('A');
    expect(mergeTarget({ flags: [] })).toBeUndefined();
  });

  it('merged, report what the record lacks by path and program, never by NIK', () => {
    const record = householdProposal();
    const merged = householdProposal();
    merged.members[1] = { ...record.members[0]! };
    merged.programs = [...record.programs, 'BLT_DD'].filter((program, i, all) => all.indexOf(program) === i) as never;
    const difference = mergeDifference(merged, record);
    expect(difference.extraMembers).toEqual(['members.0', 'members.2']);
    expect(JSON.stringify(difference)).not.toMatch(/\d{16}/);
  });

  it('that proceed carry the decision per number, and a Dukcapil correction when not the same person', () => {
    expect(adjudicatedFlags({ flags }, 'unique', 'T', new Set(['members.2.nik']))).toEqual([
      { code: 'DUPLICATE_ADJUDICATED', path: 'members.2.nik', pointer: { proposalId: 'A', registered: true }, detail: { decision: 'unique', taskId: 'T', sharedLock: true } },
      { code: 'DUPLICATE_ADJUDICATED', path: 'household.kk', pointer: { proposalId: 'B', registered: false }, detail: { decision: 'unique', taskId: 'T', sharedLock: false } },
    ]);
    const corrections = adjudicatedFlags({ flags }, 'not_same_person', 'T', new Set()).filter((flag) => flag.code === 'DUKCAPIL_CORRECTION_NEEDED');
    expect(corrections.map((flag) => flag.path)).toEqual(['members.2.nik', 'household.kk']);
  });
});
