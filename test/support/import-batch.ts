import { IMPORT_COLUMNS, type ImportColumn } from '../../domain/imports/columns.ts';
import { toCsv, type CsvSeparator } from '../../domain/imports/csv.ts';
import { composeNik, type Sex } from '../../domain/nik.ts';
import type { Relationship } from '../../domain/proposal.ts';
import { loadRegionData } from '../../domain/region-source.ts';

/*
 * A large import file of Maluku (81) households with a known outcome, for
 * tests that import end to end. Every `badEvery`-th household has exactly one
 * planted problem; the rest are valid under a Maluku context (province 81,
 * any `today` from 2021 on). Every NIK and KK in the file is unique, so
 * accepted households never collide on duplicate locks with each other.
 */

export type BadKind =
  | 'NIK_TOO_SHORT'
  | 'NIK_SEX_MISMATCH'
  | 'VILLAGE_UNKNOWN'
  | 'TWO_HEADS'
  | 'ADDRESS_MISMATCH'
  | 'BIRTH_DATE_INVALID'
  | 'PROGRAM_UNKNOWN'
  | 'LATITUDE_OUT_OF_RANGE'
  | 'NAME_MISSING';

export const BAD_KINDS: readonly BadKind[] = [
  'NIK_TOO_SHORT',
  'NIK_SEX_MISMATCH',
  'VILLAGE_UNKNOWN',
  'TWO_HEADS',
  'ADDRESS_MISMATCH',
  'BIRTH_DATE_INVALID',
  'PROGRAM_UNKNOWN',
  'LATITUDE_OUT_OF_RANGE',
  'NAME_MISSING',
];

export type ExpectedIssue = { row: number; column: ImportColumn | null; code: string };

export type ImportBatch = {
  /** Header plus data rows, CRLF line ends. */
  csv: string;
  /** The same cells as a table (header first), e.g. to build an XLSX of the batch. */
  table: string[][];
  /** Data rows (the header not counted). */
  rowCount: number;
  accepted: { householdRef: string; rows: number[] }[];
  rejected: { householdRef: string; rows: number[]; kind: BadKind; issues: ExpectedIssue[] }[];
};

const GIVEN_MALE = ['Yohanes', 'Abdul', 'Petrus', 'Hasan', 'Marthen', 'Rizal', 'Simon', 'Yusuf'];
const GIVEN_FEMALE = ['Maria', 'Siti', 'Agustina', 'Nurhayati', 'Magdalena', 'Fatima', 'Yuliana', 'Ani'];
const FAMILY = ['Letsoin', 'Latuconsina', 'Pattinama', 'Tuhumury', 'Rumalutur', 'Salampessy', "Ma'ruf", 'Wattimena'];
const CRITERIA = ['LANTAI_TANAH', 'TANPA_JAMBAN', 'PENGHASILAN_RENDAH', 'BAHAN_BAKAR_KAYU', 'TANPA_ASET'];
const PROGRAMS = ['PKH', 'SEMBAKO;PKH', 'PBI-JKN', 'BLT_DD;bpnt'];

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;
const date = (year: number, month: number, day: number) =>
  `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

type Member = { nik: string; full_name: string; sex: Sex; birth_date: string; relationship: Relationship };

/**
 * `households` of 1–5 members (about 3 on average: 1,667 households make
 * about 5,000 rows); every `badEvery`-th one (1-based) is bad, cycling
 * through BAD_KINDS, and has at least 2 members so each kind can be planted.
 */
export function makeImportBatch({
  households = 1667,
  badEvery = 7,
  separator = ',',
}: { households?: number; badEvery?: number; separator?: CsvSeparator } = {}): ImportBatch {
  const villages = loadRegionData('81').villages;
  const serials = new Map<string, number>();
  // NIK and KK serials count per district, so every number in the batch is unique.
  const nextSerial = (key: string) => {
    const serial = (serials.get(key) ?? 0) + 1;
    if (serial > 9999) throw new Error(`makeImportBatch: more than 9999 numbers in district ${key}`);
    serials.set(key, serial);
    return serial;
  };

  const table: string[][] = [[...IMPORT_COLUMNS]];
  const accepted: ImportBatch['accepted'] = [];
  const rejected: ImportBatch['rejected'] = [];
  let badCount = 0;

  for (let h = 0; h < households; h++) {
    const bad = (h + 1) % badEvery === 0 ? pick(BAD_KINDS, badCount++) : undefined;
    const size = Math.max(bad === undefined ? 1 : 2, 1 + ((h * 7) % 5));
    const village = pick(villages, h * 13);
    const district = village.slice(0, 8);
    const ref = `KEL-${String(h + 1).padStart(5, '0')}`;
    const family = pick(FAMILY, h);
    const femaleHead = h % 6 === 5;
    const headYear = 1950 + (h % 45);

    const members: Member[] = [];
    for (let m = 0; m < size; m++) {
      let sex: Sex;
      let relationship: Relationship;
      let birth: string;
      if (m === 0) {
        sex = femaleHead ? 'P' : 'L';
        relationship = 'KEPALA_KELUARGA';
        birth = date(headYear, 1 + (h % 12), 1 + (h % 28));
      } else if (m === 1) {
        sex = femaleHead ? 'L' : 'P';
        relationship = femaleHead ? 'SUAMI' : 'ISTRI';
        birth = date(headYear + 2, 1 + ((h + 5) % 12), 1 + ((h + 9) % 28));
      } else {
        sex = (h + m) % 2 === 0 ? 'L' : 'P';
        relationship = 'ANAK';
        birth = date(Math.min(headYear + 20 + m, 2020), 1 + ((h + m) % 12), 1 + ((h * m) % 28));
      }
      const given = sex === 'L' ? pick(GIVEN_MALE, h + m) : pick(GIVEN_FEMALE, h + m);
      members.push({
        nik: composeNik({ districtCode: district, sex, birthDate: birth, serial: nextSerial(`nik:${district}`) }),
        full_name: `${given} ${family}`,
        sex,
        birth_date: birth,
        relationship,
      });
    }

    const household: Record<'village_code' | 'kk' | 'address' | 'rt' | 'rw' | 'latitude' | 'longitude' | 'programs' | 'criteria', string> = {
      village_code: village,
      kk: `${district.replaceAll('.', '')}${date(2010 + (h % 14), 1 + (h % 12), 1 + (h % 28)).slice(2).split('-').reverse().join('')}${String(nextSerial(`kk:${district}`)).padStart(4, '0')}`,
      address: `Jl. Pattimura No. ${1 + (h % 120)}`,
      rt: String(1 + (h % 9)).padStart(3, '0'),
      rw: String(1 + (h % 5)).padStart(3, '0'),
      latitude: (-3.7 - (h % 50) / 100).toFixed(4),
      longitude: (128.1 + (h % 70) / 100).toFixed(4),
      programs: pick(PROGRAMS, h),
      criteria: `${pick(CRITERIA, h)};${pick(CRITERIA, h + 2)}`,
    };

    const firstRow = table.length + 1;
    const rowOf = (m: number) => firstRow + m;
    const rows = members.map((_, m) => rowOf(m));
    const issues: ExpectedIssue[] = [];
    const lines = members.map((member) => ({ ...household, ...member, household_ref: ref }) as Record<ImportColumn, string>);
    const second = lines[1] as Record<ImportColumn, string>;
    const first = lines[0] as Record<ImportColumn, string>;

    switch (bad) {
      case 'NIK_TOO_SHORT':
        second.nik = second.nik.slice(0, 15);
        issues.push({ row: rowOf(1), column: 'nik', code: 'NIK_FORMAT' });
        break;
      case 'NIK_SEX_MISMATCH':
        second.sex = second.sex === 'L' ? 'P' : 'L';
        issues.push({ row: rowOf(1), column: 'nik', code: 'NIK_SEX_MISMATCH' });
        break;
      case 'VILLAGE_UNKNOWN':
        for (const line of lines) line.village_code = `${district}.2999`;
        issues.push({ row: rowOf(0), column: 'village_code', code: 'VILLAGE_UNKNOWN' });
        break;
      case 'TWO_HEADS':
        second.relationship = 'KEPALA_KELUARGA';
        issues.push({ row: rowOf(0), column: 'relationship', code: 'HEAD_OF_HOUSEHOLD_COUNT' });
        break;
      case 'ADDRESS_MISMATCH':
        second.address = `${household.address}A`;
        issues.push({ row: rowOf(1), column: 'address', code: 'IMPORT_HOUSEHOLD_FIELD_MISMATCH' });
        break;
      case 'BIRTH_DATE_INVALID':
        second.birth_date = `${second.birth_date.slice(0, 4)}-02-30`;
        issues.push({ row: rowOf(1), column: 'birth_date', code: 'INVALID_DATE' });
        break;
      case 'PROGRAM_UNKNOWN':
        for (const line of lines) line.programs = 'PKH;BANSOS_LAIN';
        issues.push({ row: rowOf(0), column: 'programs', code: 'INVALID_ENUM_VALUE' });
        break;
      case 'LATITUDE_OUT_OF_RANGE':
        for (const line of lines) line.latitude = '12.5';
        issues.push({ row: rowOf(0), column: 'latitude', code: 'TOO_BIG' });
        break;
      case 'NAME_MISSING':
        first.full_name = '';
        issues.push({ row: rowOf(0), column: 'full_name', code: 'REQUIRED' });
        break;
      case undefined:
        break;
    }

    for (const line of lines) table.push(IMPORT_COLUMNS.map((column) => line[column]));
    if (bad === undefined) accepted.push({ householdRef: ref, rows });
    else rejected.push({ householdRef: ref, rows, kind: bad, issues });
  }

  return { csv: toCsv(table, separator), table, rowCount: table.length - 1, accepted, rejected };
}
