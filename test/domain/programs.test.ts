import { describe, expect, it } from 'vitest';
import {
  CRITERIA,
  CRITERION_LABELS,
  PROGRAMS,
  PROGRAM_LABELS,
  ProgramSchema,
  normalizeProgram,
} from '../../domain/programs.ts';

describe('ProgramSchema', () => {
  it.each([
    ['PKH', 'PKH'],
    ['pkh', 'PKH'],
    ['SEMBAKO', 'SEMBAKO'],
    ['BPNT', 'SEMBAKO'],
    ['bpnt/sembako', 'SEMBAKO'],
    ['BPNT/SEMBAKO', 'SEMBAKO'],
    ['PBI-JKN', 'PBI_JKN'],
    ['pbi_jkn', 'PBI_JKN'],
    ['Blt-Dd', 'BLT_DD'],
    [' BLT_DD ', 'BLT_DD'],
  ])('normalizes %j to %s', (input, program) => {
    expect(ProgramSchema.parse(input)).toBe(program);
  });

  it.each(['KIP', 'PKH2', '', 3, null])('rejects %j', (input) => {
    expect(ProgramSchema.safeParse(input).success).toBe(false);
  });

  it('leaves non-strings for the schema to reject', () => {
    expect(normalizeProgram(7)).toBe(7);
  });
});

describe('labels', () => {
  it('describe every program and criterion in both languages', () => {
    for (const program of PROGRAMS) {
      expect(PROGRAM_LABELS[program].id).not.toBe('');
      expect(PROGRAM_LABELS[program].en).not.toBe('');
    }
    expect(CRITERIA).toHaveLength(14);
    expect(new Set(CRITERIA).size).toBe(CRITERIA.length);
    for (const criterion of CRITERIA) {
      expect(CRITERION_LABELS[criterion].id).not.toBe(CRITERION_LABELS[criterion].en);
    }
  });
});
