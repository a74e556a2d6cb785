import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composeNik, parseNik, validateNik, type Sex } from '../../domain/nik.ts';
import { loadRegionData } from '../../domain/region-source.ts';
import { nationalRegions as regions } from './support/proposal-fixture.ts';

const PATH = 'members.1.nik';
const codes = (nik: string, member: { sex: Sex; birthDate: string }) =>
  validateNik(nik, member, regions, PATH).issues.map((i) => i.code);

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Written independently of domain/nik.ts: the NIK layout as documented. */
function nikOf(district: string, sex: Sex, date: Date, serial: number): string {
  const day = date.getUTCDate() + (sex === 'P' ? 40 : 0);
  const datePart = pad(day) + pad(date.getUTCMonth() + 1) + pad(date.getUTCFullYear() % 100);
  return district.replaceAll('.', '') + datePart + pad(serial, 4);
}
const isoDate = (date: Date) => date.toISOString().slice(0, 10);

const currentDistricts = loadRegionData().districts;
const arbitraryPerson = fc.record({
  district: fc.constantFrom(...currentDistricts),
  sex: fc.constantFrom<Sex>('L', 'P'),
  date: fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true }),
  serial: fc.integer({ min: 1, max: 9999 }),
});

/** An independent oracle: does day/month exist in 19YY or 20YY? */
function dateExists(day: number, month: number, yy: number): boolean {
  return [1900, 2000].some((century) => {
    const d = new Date(Date.UTC(century + yy, month - 1, day));
    return d.getUTCDate() === day && d.getUTCMonth() === month - 1;
  });
}

describe('validateNik', () => {
  it('accepts any NIK built from a current district, sex, birth date and serial', () => {
    fc.assert(
      fc.property(arbitraryPerson, ({ district, sex, date, serial }) => {
        const result = validateNik(nikOf(district, sex, date, serial), { sex, birthDate: isoDate(date) }, regions, PATH);
        expect(result).toEqual({ issues: [], flags: [] });
      }),
    );
  });

  it('catches every single-digit change in the date part', () => {
    fc.assert(
      fc.property(arbitraryPerson, fc.integer({ min: 6, max: 11 }), fc.integer({ min: 1, max: 9 }), (person, position, shift) => {
        const { sex, date } = person;
        const nik = nikOf(person.district, sex, date, person.serial);
        const digit = (Number(nik[position]) + shift) % 10;
        const changed = nik.slice(0, position) + digit + nik.slice(position + 1);
        const found = codes(changed, { sex, birthDate: isoDate(date) });

        const rawDay = Number(changed.slice(6, 8));
        const day = rawDay > 40 ? rawDay - 40 : rawDay;
        if (!dateExists(day, Number(changed.slice(8, 10)), Number(changed.slice(10, 12)))) {
          expect(found).toContain('NIK_BIRTH_DATE_INVALID');
        } else {
          expect(found.some((c) => c === 'NIK_BIRTH_DATE_MISMATCH' || c === 'NIK_SEX_MISMATCH')).toBe(true);
        }
      }),
    );
  });

  it('rejects impossible dates', () => {
    const man = { sex: 'L' as const, birthDate: '1980-01-01' };
    for (const datePart of ['000180', '320180', '400180', '720180', '010080', '011380', '310480', '290201']) {
      expect(codes(`810305${datePart}0001`, man), datePart).toContain('NIK_BIRTH_DATE_INVALID');
    }
  });

  it('allows 29 February when the two-digit year is a leap year in either century', () => {
    expect(codes('8103052902000001', { sex: 'L', birthDate: '2000-02-29' })).toEqual([]);
    expect(codes('8103056902040001', { sex: 'P', birthDate: '2004-02-29' })).toEqual([]);
  });

  it('reads women\'s birth days with 40 added', () => {
    expect(codes('8103054311840002', { sex: 'P', birthDate: '1984-11-03' })).toEqual([]);
    expect(codes('8103054311840002', { sex: 'L', birthDate: '1984-11-03' })).toEqual(['NIK_SEX_MISMATCH']);
    expect(codes('8103050311840002', { sex: 'P', birthDate: '1984-11-03' })).toEqual(['NIK_SEX_MISMATCH']);
  });

  it('compares day, month and year modulo 100 with the declared birth date', () => {
    const nik = '8103051204800001';
    expect(codes(nik, { sex: 'L', birthDate: '1880-04-12' })).toEqual([]);
    expect(codes(nik, { sex: 'L', birthDate: '1980-04-13' })).toEqual(['NIK_BIRTH_DATE_MISMATCH']);
    expect(codes(nik, { sex: 'L', birthDate: '1980-05-12' })).toEqual(['NIK_BIRTH_DATE_MISMATCH']);
    expect(codes(nik, { sex: 'L', birthDate: '1981-04-12' })).toEqual(['NIK_BIRTH_DATE_MISMATCH']);
  });

  it('rejects serial 0000', () => {
    expect(codes('8103051204800000', { sex: 'L', birthDate: '1980-04-12' })).toEqual(['NIK_SERIAL_ZERO']);
  });

  it.each(['', '810305120480000', '81030512048000011', '81030512048000O1', ' 8103051204800001'])(
    'rejects %j as malformed and checks nothing else',
    (nik) => {
      expect(codes(nik, { sex: 'P', birthDate: '2000-01-01' })).toEqual(['NIK_FORMAT']);
    },
  );

  it('rejects a province that never existed', () => {
    const result = validateNik('9903051204800001', { sex: 'L', birthDate: '1980-04-12' }, regions, PATH);
    expect(result).toEqual({ issues: [expect.objectContaining({ code: 'NIK_PROVINCE_INVALID', path: PATH })], flags: [] });
  });

  it('flags, not rejects, an unknown district in a known province', () => {
    const result = validateNik('8103991204800001', { sex: 'L', birthDate: '1980-04-12' }, regions, PATH);
    expect(result).toEqual({
      issues: [],
      flags: [{ code: 'NIK_DISTRICT_UNKNOWN', path: PATH, detail: { districtCode: '81.03.99' } }],
    });
  });

  it('accepts a NIK issued before Merauke was re-coded, with an informational flag', () => {
    const result = validateNik('9101011204800001', { sex: 'L', birthDate: '1980-04-12' }, regions, PATH);
    expect(result).toEqual({
      issues: [],
      flags: [{ code: 'NIK_DISTRICT_RECODED', path: PATH, detail: { currentDistrictCode: '93.01.01' } }],
    });
  });

  it('reports every problem at once', () => {
    expect(codes('9903054304800000', { sex: 'L', birthDate: '1990-01-01' }).sort()).toEqual(
      ['NIK_BIRTH_DATE_MISMATCH', 'NIK_PROVINCE_INVALID', 'NIK_SERIAL_ZERO', 'NIK_SEX_MISMATCH'].sort(),
    );
  });

  it('never puts the NIK into messages or flags', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{16}$/), fc.constantFrom<Sex>('L', 'P'), (nik, sex) => {
        const text = JSON.stringify(validateNik(nik, { sex, birthDate: '1990-01-01' }, regions, PATH));
        expect(text).not.toContain(nik);
        expect(text).not.toContain(nik.slice(6));
      }),
    );
  });
});

describe('parseNik', () => {
  it('round-trips the parts of any valid NIK', () => {
    fc.assert(
      fc.property(arbitraryPerson, ({ district, sex, date, serial }) => {
        expect(parseNik(nikOf(district, sex, date, serial))).toEqual({
          districtCode: district,
          birthDay: date.getUTCDate(),
          birthMonth: date.getUTCMonth() + 1,
          birthYearTwoDigits: date.getUTCFullYear() % 100,
          sex,
          serial,
        });
      }),
    );
  });

  it('returns null for malformed NIKs and impossible dates', () => {
    expect(parseNik('123')).toBeNull();
    expect(parseNik('8103053204800001')).toBeNull();
    expect(parseNik('8103057204800001')).toBeNull();
  });
});

describe('composeNik', () => {
  it('builds the same NIK as the documented layout', () => {
    fc.assert(
      fc.property(arbitraryPerson, ({ district, sex, date, serial }) => {
        expect(composeNik({ districtCode: district, sex, birthDate: isoDate(date), serial })).toBe(
          nikOf(district, sex, date, serial),
        );
      }),
    );
  });
});
