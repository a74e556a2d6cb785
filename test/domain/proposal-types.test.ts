import { describe, expect, it } from 'vitest';
import { maskKk, maskNik } from '../../domain/masking.ts';
import {
  activeMembers,
  correctionDiff,
  correctionIssues,
  evidenceRequirements,
  removalIssues,
  removalScope,
  requirementKinds,
  targetIssues,
  unmetRequirements,
  type RegisteredRecord,
} from '../../domain/proposal-types.ts';
import { provinceConfig } from '../../domain/province-config.ts';
import { draftOf, householdProposal } from '../support/proposals.ts';

const config = provinceConfig('81');

function registered(overrides: Partial<RegisteredRecord> = {}): RegisteredRecord {
  return { ...draftOf(householdProposal()), status: 'REGISTERED', stage: 'FINALIZED', registeredAt: '2025-01-02T03:04:05.000Z', ...overrides };
}

const codes = (issues: { code: string; path: string }[]) => issues.map((issue) => `${issue.path} ${issue.code}`);

describe('targetIssues', () => {
  it('accepts a current registered record of the same village', () => {
    const target = registered();
    expect(targetIssues(target, target.villageCode)).toEqual([]);
  });

  it('reports a missing record, and one of another village, the same way (nothing leaks across regions)', () => {
    const target = registered();
    expect(codes(targetIssues(undefined, target.villageCode))).toEqual(['target.proposalId TARGET_NOT_FOUND']);
    expect(codes(targetIssues(target, '81.71.01.1009'))).toEqual(['target.proposalId TARGET_NOT_FOUND']);
  });

  it('refuses a record that is not registered, is a removal, has ended or was corrected', () => {
    const ended = { endedAt: '2025-02-01T00:00:00.000Z', endReason: 'DECEASED' as const, endedBy: 'X' };
    const cases = {
      draft: registered({ status: 'IN_REVIEW' }),
      removal: registered({ type: 'REMOVE' }),
      ended: registered({ registration: ended }),
      superseded: registered({ supersededBy: '01JABCDEFGHJKMNPQRSTVWXYZ0', registration: { ...ended, endReason: 'CORRECTED' } }),
    };
    expect(Object.fromEntries(Object.entries(cases).map(([name, target]) => [name, targetIssues(target, target.villageCode)[0]?.code]))).toEqual({
      draft: 'TARGET_NOT_REGISTERED',
      removal: 'TARGET_NOT_REGISTERED',
      ended: 'TARGET_ENDED',
      superseded: 'TARGET_SUPERSEDED',
    });
  });

  it('refuses a record another case holds, but not the claim of the proposal itself', () => {
    const target = registered({ openCase: 'CASE-A' });
    expect(codes(targetIssues(target, target.villageCode))).toEqual(['target.proposalId TARGET_CASE_OPEN']);
    expect(targetIssues(target, target.villageCode, 'CASE-A')).toEqual([]);
  });
});

describe('removalIssues and removalScope', () => {
  const target = registered();
  const [head, mother] = target.members;

  it('points at each named NIK that is not a current member', () => {
    const ended = registered({ ...target, endedMembers: [{ nik: mother!.nik, endedAt: 'x', endReason: 'DECEASED', endedBy: 'y' }] });
    const removal = { reason: 'DECEASED' as const, members: [head!.nik, '8171010000000001', mother!.nik], statement: 'Meninggal dunia.' };
    expect(codes(removalIssues(removal, ended))).toEqual(['removal.members.1 REMOVAL_MEMBER_UNKNOWN', 'removal.members.2 REMOVAL_MEMBER_UNKNOWN']);
  });

  it('needs the original of a duplicate, a current registered record other than the target', () => {
    const base = { reason: 'DUPLICATE_RECORD' as const, statement: 'Tercatat dua kali.' };
    const original = registered();
    expect(codes(removalIssues(base, target))).toEqual(['removal.duplicateOf REQUIRED']);
    expect(codes(removalIssues({ ...base, duplicateOf: target.id }, target, target))).toEqual(['removal.duplicateOf DUPLICATE_OF_INVALID']);
    expect(codes(removalIssues({ ...base, duplicateOf: original.id }, target, undefined))).toEqual(['removal.duplicateOf DUPLICATE_OF_INVALID']);
    expect(removalIssues({ ...base, duplicateOf: original.id }, target, original)).toEqual([]);
  });

  it('ends the household when no members are named, or when the last current ones leave', () => {
    expect(removalScope(target, { reason: 'MOVED', statement: 'Pindah.' })).toEqual({ household: true, memberIndexes: [] });
    expect(removalScope(target, { reason: 'DECEASED', members: [mother!.nik], statement: 'Meninggal.' })).toEqual({
      household: false,
      memberIndexes: [1],
    });
    const twoLeft = registered({ ...target, endedMembers: [{ nik: head!.nik, endedAt: 'x', endReason: 'DECEASED', endedBy: 'y' }] });
    expect(activeMembers(twoLeft)).toHaveLength(2);
    const lastTwo = twoLeft.members.slice(1).map((member) => member.nik);
    expect(removalScope(twoLeft, { reason: 'MOVED', members: lastTwo, statement: 'Pindah.' })).toEqual({ household: true, memberIndexes: [1, 2] });
  });
});

describe('correctionDiff', () => {
  const before = householdProposal();

  it('lists each changed field, old beside new, with NIK and KK masked', () => {
    const after = {
      ...before,
      household: { ...before.household, kk: `${before.household.kk.slice(0, 12)}9999`, address: 'Jl. Baru No. 1' },
      members: [before.members[0]!, { ...before.members[1]!, nik: '8171014411840999', fullName: 'Maria L.' }],
      programs: ['PKH' as const],
    };
    expect(correctionDiff(before, after)).toEqual([
      { path: 'household.kk', old: maskKk(before.household.kk), new: maskKk(after.household.kk) },
      { path: 'household.address', old: 'Jl. Pattimura No. 12', new: 'Jl. Baru No. 1' },
      { path: 'members.1.nik', old: maskNik(before.members[1]!.nik), new: maskNik('8171014411840999') },
      { path: 'members.1.fullName', old: 'Maria Latuconsina', new: 'Maria L.' },
      { path: 'members.2', old: `Daniel Latuconsina (${maskNik(before.members[2]!.nik)})`, new: null },
      { path: 'programs', old: 'PKH, SEMBAKO', new: 'PKH' },
    ]);
    expect(JSON.stringify(correctionDiff(before, after))).not.toContain(before.members[1]!.nik);
  });

  it('finds nothing to change in the same record, and the correction is refused for it', () => {
    expect(correctionDiff(before, structuredClone(before))).toEqual([]);
    expect(codes(correctionIssues(structuredClone(before), before))).toEqual([' CORRECTION_UNCHANGED']);
  });
});

describe('evidence per type and reason', () => {
  it('keeps the programs\u2019 documents for an ADD', () => {
    expect(evidenceRequirements(config, { type: 'ADD', programs: ['PKH'] })).toEqual([['house-front'], ['house-interior'], ['id-scan'], ['berita-acara']]);
  });

  it('asks a death certificate or a village letter for a death, a transfer letter for a move, photos and minutes otherwise', () => {
    const removal = (reason: 'DECEASED' | 'MOVED' | 'NO_LONGER_ELIGIBLE' | 'DUPLICATE_RECORD' | 'NOT_FOUND') =>
      evidenceRequirements(config, { type: 'REMOVE', programs: ['PKH'], removal: { reason, statement: 'Alasan.' } });
    expect(removal('DECEASED')).toEqual([['death-certificate', 'village-letter']]);
    expect(removal('MOVED')).toEqual([['transfer-letter']]);
    expect(removal('NO_LONGER_ELIGIBLE')).toEqual([['house-front'], ['house-interior'], ['berita-acara']]);
    expect(removal('DUPLICATE_RECORD')).toEqual([['berita-acara']]);
    expect(removal('NOT_FOUND')).toEqual([['berita-acara']]);
    expect(evidenceRequirements(config, { type: 'UPDATE', programs: ['PKH'] })).toEqual([['id-scan'], ['berita-acara']]);
  });

  it('is met by any one of the alternatives, and offers a slot for each', () => {
    const death = [['death-certificate', 'village-letter'] as const];
    expect(unmetRequirements(death, ['village-letter'])).toEqual([]);
    expect(unmetRequirements(death, ['death-certificate'])).toEqual([]);
    expect(unmetRequirements(death, ['berita-acara'])).toEqual(death);
    expect(requirementKinds([...death, ['berita-acara'], ['village-letter']])).toEqual(['death-certificate', 'village-letter', 'berita-acara']);
  });
});
