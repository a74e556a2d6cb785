import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { zodIssues } from '../../domain/messages.ts';
import { ProposalInputSchema, ProposalSchema, proposalInputOf } from '../../domain/proposal.ts';
import { validInput } from './support/proposal-fixture.ts';

const issuesOf = (input: unknown, schema: typeof ProposalInputSchema | typeof ProposalSchema = ProposalInputSchema) => {
  const result = schema.safeParse(input);
  return result.success ? [] : zodIssues(result.error, input).map(({ path, code }) => ({ path, code }));
};

describe('ProposalInputSchema', () => {
  it('accepts a complete proposal and normalizes program aliases', () => {
    const parsed = ProposalInputSchema.parse(validInput());
    expect(parsed.programs).toEqual(['PKH', 'SEMBAKO']);
    expect(parsed.members).toHaveLength(3);
  });

  it('trims names and addresses', () => {
    const input = validInput();
    input.household.address = '  Jl. Pantai  ';
    input.members[0]!.fullName = ' YOHANES LETSOIN ';
    const parsed = ProposalInputSchema.parse(input);
    expect(parsed.household.address).toBe('Jl. Pantai');
    expect(parsed.members[0]?.fullName).toBe('YOHANES LETSOIN');
  });

  it('rejects unknown fields at every level', () => {
    const input = validInput() as Record<string, unknown> & ReturnType<typeof validInput>;
    input.extra = 1;
    Object.assign(input.household, { note: 'x' });
    Object.assign(input.household.location, { altitude: 3 });
    Object.assign(input.members[1]!, { religion: 'x' });
    expect(issuesOf(input)).toEqual(
      expect.arrayContaining([
        { path: 'extra', code: 'UNKNOWN_FIELD' },
        { path: 'household.note', code: 'UNKNOWN_FIELD' },
        { path: 'household.location.altitude', code: 'UNKNOWN_FIELD' },
        { path: 'members.1.religion', code: 'UNKNOWN_FIELD' },
      ]),
    );
  });

  it('reports identity numbers with their own codes', () => {
    const input = validInput();
    input.household.kk = '81030501';
    input.members[2]!.nik = '8103-0530-0110-0003';
    expect(issuesOf(input)).toEqual([
      { path: 'household.kk', code: 'KK_FORMAT' },
      { path: 'members.2.nik', code: 'NIK_FORMAT' },
    ]);
  });

  it('checks names, dates, RT/RW, location and region code formats', () => {
    const input = validInput();
    input.villageCode = '8103052001';
    input.household.rt = '0001';
    input.household.location.latitude = 7.5;
    input.household.location.longitude = 94;
    input.members[0]!.fullName = 'YOHANES 2';
    input.members[1]!.birthDate = '1984-02-30';
    expect(issuesOf(input)).toEqual([
      { path: 'villageCode', code: 'INVALID_FORMAT' },
      { path: 'household.rt', code: 'INVALID_FORMAT' },
      { path: 'household.location.latitude', code: 'TOO_BIG' },
      { path: 'household.location.longitude', code: 'TOO_SMALL' },
      { path: 'members.0.fullName', code: 'NAME_FORMAT' },
      { path: 'members.1.birthDate', code: 'INVALID_DATE' },
    ]);
  });

  it('reports an empty name as required, not as a format error', () => {
    const input = validInput();
    input.members[0]!.fullName = '   ';
    expect(issuesOf(input)).toEqual([{ path: 'members.0.fullName', code: 'REQUIRED' }]);
  });

  it('accepts names in any script with apostrophes, hyphens and full stops', () => {
    const input = validInput();
    input.members[0]!.fullName = "Ni Luh Putu Ayu-Dewi, S.Pd.".replace(',', '');
    input.members[1]!.fullName = 'Ngurah Ṙaï';
    expect(issuesOf(input)).toEqual([]);
  });

  it('limits members to 1..20 and requires programs and criteria', () => {
    const input = validInput();
    input.members = Array.from({ length: 21 }, () => validInput().members[2]!);
    input.programs = [];
    input.criteria = [];
    expect(issuesOf(input)).toEqual([
      { path: 'members', code: 'TOO_MANY_ITEMS' },
      { path: 'programs', code: 'TOO_FEW_ITEMS' },
      { path: 'criteria', code: 'TOO_FEW_ITEMS' },
    ]);
    expect(issuesOf({ ...validInput(), members: [] })).toEqual([{ path: 'members', code: 'TOO_FEW_ITEMS' }]);
  });

  it('rejects a program named twice, also through an alias', () => {
    expect(issuesOf({ ...validInput(), programs: ['SEMBAKO', 'PKH', 'bpnt'] })).toEqual([
      { path: 'programs.2', code: 'DUPLICATE_ITEM' },
    ]);
    expect(issuesOf({ ...validInput(), criteria: ['LANTAI_TANAH', 'LANTAI_TANAH'] })).toEqual([
      { path: 'criteria.1', code: 'DUPLICATE_ITEM' },
    ]);
  });

  it('rejects unknown programs, criteria, relationships and disabilities', () => {
    const input = validInput();
    input.programs = ['KIP'];
    input.criteria = ['RUMAH_BAGUS'];
    input.members[1]!.relationship = 'SEPUPU';
    input.members[1]!.disability = 'LAIN';
    expect(issuesOf(input)).toEqual([
      { path: 'members.1.relationship', code: 'INVALID_ENUM_VALUE' },
      { path: 'members.1.disability', code: 'INVALID_ENUM_VALUE' },
      { path: 'programs.0', code: 'INVALID_ENUM_VALUE' },
      { path: 'criteria.0', code: 'INVALID_ENUM_VALUE' },
    ]);
  });

  it('reports missing fields as REQUIRED', () => {
    const { household: _household, ...withoutHousehold } = validInput();
    expect(issuesOf(withoutHousehold)).toEqual([{ path: 'household', code: 'REQUIRED' }]);
  });
});

describe('ProposalSchema', () => {
  const stored = () => ({
    ...ProposalInputSchema.parse(validInput()),
    id: '01JZ8X3Q4W5E6R7T8Y9V0A1B2C',
    version: 1,
    status: 'IN_REVIEW',
    stage: 'PUBLIC_REVIEW',
    tier: 'village',
    submittedBy: 'op-81.03.05.2001-1',
    createdAt: '2025-06-01T02:00:00.000Z',
    updatedAt: '2025-06-02T02:00:00Z',
    reasons: [],
    flags: [{ code: 'NIK_DISTRICT_RECODED', path: 'members.0.nik', detail: { currentDistrictCode: '93.01.01' } }],
    review: { endsAt: '2025-06-12T00:00:00Z' },
  });

  it('accepts a stored record', () => {
    expect(issuesOf(stored(), ProposalSchema)).toEqual([]);
    expect(issuesOf({ ...stored(), id: ulid() }, ProposalSchema)).toEqual([]);
  });

  it('checks the record fields', () => {
    const record = { ...stored(), id: 'not-a-ulid', version: 0, status: 'DONE', tier: 'province', flags: [{ code: 'x' }] };
    expect(issuesOf(record, ProposalSchema)).toEqual([
      { path: 'id', code: 'INVALID_FORMAT' },
      { path: 'version', code: 'TOO_SMALL' },
      { path: 'status', code: 'INVALID_ENUM_VALUE' },
      { path: 'tier', code: 'INVALID_ENUM_VALUE' },
      { path: 'flags.0.code', code: 'INVALID_FORMAT' },
    ]);
  });

  it('gives back exactly the submitted fields of a stored record', () => {
    const record = ProposalSchema.parse(stored());
    const input = proposalInputOf(record);
    expect(input).toEqual(ProposalInputSchema.parse(validInput()));
    expect(ProposalInputSchema.safeParse(input).success).toBe(true);
  });

  it('stays strict after extension', () => {
    expect(issuesOf({ ...stored(), secret: 1 }, ProposalSchema)).toEqual([{ path: 'secret', code: 'UNKNOWN_FIELD' }]);
  });
});
