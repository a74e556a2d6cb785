import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateProposal } from '../../domain/validate-proposal.ts';
import { RegionDirectory } from '../../domain/regions.ts';
import { loadRegionData } from '../../domain/region-source.ts';
import { TODAY, malukuContext, validInput } from './support/proposal-fixture.ts';

const MERAUKE_CODES = { provinceCode: '93', regencyCode: '93.01', districtCode: '93.01.01', villageCode: '93.01.01.1002' };

const issuesOf = (input: unknown, ctx = malukuContext) => {
  const result = validateProposal(input, ctx);
  return result.ok ? [] : result.issues.map(({ path, code }) => ({ path, code }));
};

describe('validateProposal', () => {
  it('accepts a valid proposal and returns it normalized, without flags', () => {
    const result = validateProposal(validInput(), malukuContext);
    expect(result).toEqual({ ok: true, proposal: expect.objectContaining({ programs: ['PKH', 'SEMBAKO'] }), flags: [] });
  });

  it('accepts a member whose NIK predates a region split, and flags it', () => {
    const input = validInput();
    input.members[1]!.nik = '9101014311840002'; // Merauke before 2022
    const result = validateProposal(input, malukuContext);
    expect(result).toEqual({
      ok: true,
      proposal: expect.anything(),
      flags: [{ code: 'NIK_DISTRICT_RECODED', path: 'members.1.nik', detail: { currentDistrictCode: '93.01.01' } }],
    });
  });

  it('rejects a village of another province', () => {
    const input = { ...validInput(), ...MERAUKE_CODES };
    const result = validateProposal(input, malukuContext);
    expect(result.ok).toBe(false);
    expect(result.ok || result.issues).toEqual([
      expect.objectContaining({
        path: 'villageCode',
        code: 'VILLAGE_OUTSIDE_PROVINCE',
        message: expect.objectContaining({ en: expect.stringContaining('MALUKU') }),
      }),
    ]);
  });

  it('rejects a village that does not exist', () => {
    expect(issuesOf({ ...validInput(), villageCode: '81.03.05.2999' })).toEqual([
      { path: 'villageCode', code: 'VILLAGE_UNKNOWN' },
    ]);
  });

  it('requires province, regency and district codes to be the village code\'s prefixes', () => {
    const input = { ...validInput(), provinceCode: '82', regencyCode: '81.04', districtCode: '81.03.06' };
    expect(issuesOf(input)).toEqual([
      { path: 'provinceCode', code: 'REGION_MISMATCH' },
      { path: 'regencyCode', code: 'REGION_MISMATCH' },
      { path: 'districtCode', code: 'REGION_MISMATCH' },
    ]);
  });

  it('requires exactly one head of household', () => {
    const twoHeads = validInput();
    twoHeads.members[1]!.relationship = 'KEPALA_KELUARGA';
    expect(issuesOf(twoHeads)).toEqual([{ path: 'members', code: 'HEAD_OF_HOUSEHOLD_COUNT' }]);
    const noHead = validInput();
    noHead.members[0]!.relationship = 'SUAMI';
    expect(issuesOf(noHead)).toEqual([{ path: 'members', code: 'HEAD_OF_HOUSEHOLD_COUNT' }]);
  });

  it('does not count heads while a relationship is unreadable', () => {
    const input = validInput();
    input.members[0]!.relationship = 'KEPALA KELUARGA';
    expect(issuesOf(input)).toEqual([{ path: 'members.0.relationship', code: 'INVALID_ENUM_VALUE' }]);
  });

  it('rejects the same NIK twice in one household, pointing at the first', () => {
    const input = validInput();
    input.members.push({ ...input.members[2]!, relationship: 'LAINNYA', fullName: 'Yosef L' });
    const result = validateProposal(input, malukuContext);
    expect(result.ok || result.issues).toEqual([
      expect.objectContaining({
        path: 'members.3.nik',
        code: 'NIK_REPEATED_IN_HOUSEHOLD',
        message: expect.objectContaining({ id: 'NIK anggota ke-4 sama dengan NIK anggota ke-3.' }),
      }),
    ]);
  });

  it('rejects birth dates after today', () => {
    const input = validInput();
    input.members[2]!.birthDate = '2025-06-02';
    input.members[2]!.nik = '8103050206250003';
    expect(issuesOf(input, { ...malukuContext, today: TODAY })).toEqual([
      { path: 'members.2.birthDate', code: 'BIRTH_DATE_IN_FUTURE' },
    ]);
    expect(issuesOf(input, { ...malukuContext, today: '2025-06-02' })).toEqual([]);
  });

  it('applies the NIK and KK rules to every member', () => {
    const input = validInput();
    input.household.kk = '8199990101230001';
    input.members[0]!.sex = 'P';
    input.members[1]!.birthDate = '1985-11-03';
    input.members[2]!.nik = '9903053001100003';
    expect(issuesOf(input)).toEqual([
      { path: 'household.kk', code: 'KK_DISTRICT_UNKNOWN' },
      { path: 'members.0.nik', code: 'NIK_SEX_MISMATCH' },
      { path: 'members.1.nik', code: 'NIK_BIRTH_DATE_MISMATCH' },
      { path: 'members.2.nik', code: 'NIK_PROVINCE_INVALID' },
    ]);
  });

  it('reports shape and domain problems together, in one pass', () => {
    const input = validInput() as ReturnType<typeof validInput> & { note?: string };
    input.note = 'x';
    input.regencyCode = '81.04';
    input.members[0]!.fullName = '';
    input.members[1]!.sex = 'L'; // NIK says woman
    input.members[2]!.relationship = 'KEPALA_KELUARGA';
    input.programs = ['PKH', 'PKH'];
    expect(issuesOf(input)).toEqual(
      expect.arrayContaining([
        { path: 'note', code: 'UNKNOWN_FIELD' },
        { path: 'members.0.fullName', code: 'REQUIRED' },
        { path: 'programs.1', code: 'DUPLICATE_ITEM' },
        { path: 'regencyCode', code: 'REGION_MISMATCH' },
        { path: 'members.1.nik', code: 'NIK_SEX_MISMATCH' },
        { path: 'members', code: 'HEAD_OF_HOUSEHOLD_COUNT' },
      ]),
    );
    expect(issuesOf(input)).toHaveLength(6);
  });

  it('reports a malformed NIK once', () => {
    const input = validInput();
    input.members[0]!.nik = '12345';
    expect(issuesOf(input)).toEqual([{ path: 'members.0.nik', code: 'NIK_FORMAT' }]);
  });

  it('survives inputs that are not objects at all', () => {
    for (const input of [null, 42, 'x', [], { members: 'x' }, { members: [null, 3] }]) {
      const result = validateProposal(input, malukuContext);
      expect(result.ok).toBe(false);
    }
    expect(issuesOf(null)).toEqual([{ path: '', code: 'INVALID_TYPE' }]);
  });

  it('works with a directory holding only one province\'s villages', () => {
    const merauke = new RegionDirectory(loadRegionData('93'));
    const input = { ...validInput(), ...MERAUKE_CODES };
    input.household.location = { latitude: -8.49, longitude: 140.4 };
    expect(issuesOf(input, { regions: merauke, provinceCode: '93', today: TODAY })).toEqual([]);
  });

  it('never puts a NIK or KK into an issue', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^\d{16}$/), { minLength: 4, maxLength: 4 }), ([kk, ...niks]) => {
        const input = validInput();
        input.household.kk = kk!;
        input.members.forEach((member, i) => (member.nik = niks[i]!));
        const result = validateProposal(input, malukuContext);
        if (!result.ok) for (const number of [kk!, ...niks]) expect(JSON.stringify(result.issues)).not.toContain(number);
      }),
      { numRuns: 200 },
    );
  });
});
