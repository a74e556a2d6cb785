import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ISSUE_CODES, fieldLabel, isIssueCode, issue, localize, zodIssues } from '../../domain/messages.ts';

const codesOf = (schema: z.ZodType, input: unknown) => {
  const result = schema.safeParse(input);
  if (result.success) throw new Error('expected a failure');
  return zodIssues(result.error, input).map(({ path, code }) => ({ path, code }));
};

describe('issue', () => {
  it('names the member by position in both languages', () => {
    const built = issue('members.1.nik', 'NIK_SEX_MISMATCH');
    expect(built).toEqual({
      path: 'members.1.nik',
      code: 'NIK_SEX_MISMATCH',
      message: {
        id: 'NIK anggota ke-2 tidak sesuai dengan jenis kelamin yang diisi.',
        en: 'NIK of member 2 does not match the declared sex.',
      },
    });
  });

  it('fills in parameters, including localized ones', () => {
    expect(issue('household.address', 'TOO_LONG', { max: 200 }).message.id).toBe('Alamat maksimal 200 karakter.');
    const chosen = issue('x', 'DECISION_NOT_ALLOWED', { task: { id: 'persetujuan', en: 'approval' } });
    expect(chosen.message).toEqual({
      id: 'Keputusan ini tidak berlaku untuk tugas persetujuan.',
      en: 'This decision is not available for approval tasks.',
    });
  });

  it('names documents and states size limits in megabytes', () => {
    expect(issue('documents.berita-acara', 'DOCUMENT_TOO_LARGE', { maxBytes: 20 * 1024 * 1024 }).message).toEqual({
      id: 'Berkas berita acara musyawarah desa/kelurahan terlalu besar (maksimal 20 MB).',
      en: 'The file for signed minutes of the village deliberation is too large (at most 20 MB).',
    });
  });

  it('quotes the approver\'s reason', () => {
    const returned = issue('', 'RETURNED_BY_APPROVER', { tier: { id: 'kecamatan', en: 'the district' }, reason: 'Foto buram' });
    expect(returned.message).toEqual({
      id: 'Dikembalikan oleh kecamatan: Foto buram',
      en: 'Returned by the district: Foto buram',
    });
  });

  it('lets the caller override the field label', () => {
    expect(issue('a.b', 'REQUIRED', { field: { id: 'Foto', en: 'Photo' } }).message.en).toBe('Photo is required.');
  });

  it('renders every catalogue code in both languages', () => {
    for (const code of ISSUE_CODES) {
      const { message } = issue('members.0.nik', code, {
        min: 1, max: 2, expected: 'x', options: 'A, B', name: 'n', example: 'e', first: 1, province: 'MALUKU',
        count: 2, from: 'DRAFT', to: 'REGISTERED', task: 'approval', proposalId: '01J', maxBytes: 1024,
        allowedTypes: 'image/jpeg', maxAgeDays: 180, maxDistanceMeters: 500, tier: 'kecamatan', reason: 'Sudah mampu', type: 'ADD', village: '81.03.05.2001',
      });
      expect(message.id.length, code).toBeGreaterThan(5);
      expect(message.en.length, code).toBeGreaterThan(5);
      expect(message.id, code).not.toMatch(/undefined/);
      expect(message.en, code).not.toMatch(/undefined/);
    }
  });

  it('keeps codes in stable UPPER_SNAKE form', () => {
    for (const code of ISSUE_CODES) expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
    expect(isIssueCode('REQUIRED')).toBe(true);
    expect(isIssueCode('toString')).toBe(false);
  });
});

describe('localize', () => {
  it('picks the requested language', () => {
    const message = { id: 'Halo', en: 'Hello' };
    expect(localize(message, 'id')).toBe('Halo');
    expect(localize(message, 'en')).toBe('Hello');
  });
});

describe('fieldLabel', () => {
  it.each([
    ['', 'Data', 'Record'],
    ['household.kk', 'Nomor KK', 'KK number'],
    ['members', 'Anggota keluarga', 'Household members'],
    ['members.0.fullName', 'Nama lengkap anggota ke-1', 'Full name of member 1'],
    ['programs.2', 'Program ke-3', 'Program #3'],
    ['things.1.weird', 'weird butir ke-2', 'weird of item 2'],
    ['constructor', 'constructor', 'constructor'],
    ['toString.0.__proto__', '__proto__ butir ke-1', '__proto__ of item 1'],
  ])('labels %j', (path, id, en) => {
    expect(fieldLabel(path)).toEqual({ id, en });
  });
});

describe('zodIssues', () => {
  const schema = z.strictObject({
    name: z.string().min(3).max(5),
    age: z.number().int().min(0).max(130),
    tags: z.array(z.string()).min(1).max(2),
    kind: z.enum(['A', 'B']),
    born: z.iso.date(),
    at: z.iso.datetime(),
    code: z.string().regex(/^\d+$/),
    nested: z.strictObject({ flag: z.boolean() }),
  });
  const valid = {
    name: 'abcd',
    age: 3,
    tags: ['x'],
    kind: 'A',
    born: '2020-02-29',
    at: '2025-01-01T00:00:00Z',
    code: '1',
    nested: { flag: true },
  };

  it('accepts the valid example (sanity)', () => {
    expect(schema.safeParse(valid).success).toBe(true);
  });

  it.each([
    [{ name: undefined }, 'name', 'REQUIRED'],
    [{ kind: undefined }, 'kind', 'REQUIRED'],
    [{ name: 3 }, 'name', 'INVALID_TYPE'],
    [{ name: 'ab' }, 'name', 'TOO_SHORT'],
    [{ name: 'abcdef' }, 'name', 'TOO_LONG'],
    [{ age: -1 }, 'age', 'TOO_SMALL'],
    [{ age: 131 }, 'age', 'TOO_BIG'],
    [{ age: 1.5 }, 'age', 'INVALID_TYPE'],
    [{ tags: [] }, 'tags', 'TOO_FEW_ITEMS'],
    [{ tags: ['a', 'b', 'c'] }, 'tags', 'TOO_MANY_ITEMS'],
    [{ kind: 'C' }, 'kind', 'INVALID_ENUM_VALUE'],
    [{ born: '2021-02-29' }, 'born', 'INVALID_DATE'],
    [{ at: 'yesterday' }, 'at', 'INVALID_DATETIME'],
    [{ code: 'x1' }, 'code', 'INVALID_FORMAT'],
    [{ nested: { flag: true, extra: 1 } }, 'nested.extra', 'UNKNOWN_FIELD'],
  ])('maps %j to %s %s', (change, path, code) => {
    expect(codesOf(schema, { ...valid, ...change })).toEqual([{ path, code }]);
  });

  it('reports each unknown field at its own path', () => {
    expect(codesOf(schema, { ...valid, a: 1, b: 2 })).toEqual([
      { path: 'a', code: 'UNKNOWN_FIELD' },
      { path: 'b', code: 'UNKNOWN_FIELD' },
    ]);
  });

  it('treats an empty required string as REQUIRED', () => {
    expect(codesOf(z.object({ s: z.string().min(1) }), { s: '' })).toEqual([{ path: 's', code: 'REQUIRED' }]);
  });

  it('uses the code a refinement carries, with its parameters', () => {
    const coded = z.string().refine(() => false, { params: { code: 'TOO_LONG', max: 9 } });
    const [mapped] = zodIssues(coded.safeParse('x').error!);
    expect(mapped?.code).toBe('TOO_LONG');
    expect(mapped?.message.en).toContain('at most 9');
  });

  it('falls back to INVALID_VALUE for a refinement without a known code', () => {
    expect(codesOf(z.string().refine(() => false), 'x')).toEqual([{ path: '', code: 'INVALID_VALUE' }]);
  });

  it('still detects a missing value when the input is not passed', () => {
    const result = schema.safeParse({ ...valid, name: undefined });
    expect(zodIssues(result.error!).map((i) => i.code)).toEqual(['REQUIRED']);
  });

  it('never repeats the rejected value in the message', () => {
    const secret = '8103051204800001';
    const result = z.strictObject({ nik: z.number(), kind: z.enum(['A']) }).safeParse({ nik: secret, kind: secret });
    const text = JSON.stringify(zodIssues(result.error!, { nik: secret, kind: secret }));
    expect(text).not.toContain(secret);
  });
});
