import type { Localized } from '../messages.ts';
import { composeNik } from '../nik.ts';
import { toCsv } from './csv.ts';

/*
 * The bulk-import template: one row per household member; the rows of one
 * household share `household_ref` and repeat its household-level columns.
 * `programs` and `criteria` are lists separated by `;`.
 */
/** Columns that describe the household, so every row of a household must agree on them. */
export const HOUSEHOLD_COLUMNS = [
  'village_code',
  'kk',
  'address',
  'rt',
  'rw',
  'latitude',
  'longitude',
  'programs',
  'criteria',
] as const;
export type HouseholdColumn = (typeof HOUSEHOLD_COLUMNS)[number];

export const MEMBER_COLUMNS = ['nik', 'full_name', 'sex', 'birth_date', 'relationship'] as const;

/** The template's columns, in order: one row per member, rows of a household sharing household_ref. */
export const IMPORT_COLUMNS = ['household_ref', ...HOUSEHOLD_COLUMNS, ...MEMBER_COLUMNS] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
export type MemberColumn = (typeof MEMBER_COLUMNS)[number];

export const COLUMN_LABELS: Readonly<Record<ImportColumn, Localized>> = {
  household_ref: { id: 'Kode keluarga (household_ref)', en: 'Household reference (household_ref)' },
  village_code: { id: 'Kode desa/kelurahan', en: 'Village code' },
  kk: { id: 'Nomor KK', en: 'KK number' },
  address: { id: 'Alamat', en: 'Address' },
  rt: { id: 'RT', en: 'RT' },
  rw: { id: 'RW', en: 'RW' },
  latitude: { id: 'Garis lintang', en: 'Latitude' },
  longitude: { id: 'Garis bujur', en: 'Longitude' },
  programs: { id: 'Program', en: 'Programs' },
  criteria: { id: 'Kriteria kemiskinan', en: 'Poverty criteria' },
  nik: { id: 'NIK', en: 'NIK' },
  full_name: { id: 'Nama lengkap', en: 'Full name' },
  sex: { id: 'Jenis kelamin', en: 'Sex' },
  birth_date: { id: 'Tanggal lahir', en: 'Date of birth' },
  relationship: { id: 'Hubungan dalam keluarga', en: 'Relationship' },
};

export function isImportColumn(name: string): name is ImportColumn {
  return (IMPORT_COLUMNS as readonly string[]).includes(name);
}

/**
 * The example row: a real village (Lelingluan, Tanimbar Utara, Maluku) and
 * numbers that pass every check, so an operator who copies its pattern gets
 * a valid row. The NIK is composed, not typed, so it cannot drift from the rules.
 */
const EXAMPLE: Readonly<Record<ImportColumn, string>> = {
  household_ref: 'KEL-001',
  village_code: '81.03.05.2001',
  kk: '8103050101230001',
  address: 'Jl. Pantai Lelingluan No. 3',
  rt: '001',
  rw: '002',
  latitude: '-7.55',
  longitude: '131.4',
  programs: 'PKH;SEMBAKO',
  criteria: 'LANTAI_TANAH;TANPA_JAMBAN',
  nik: composeNik({ districtCode: '81.03.05', sex: 'L', birthDate: '1980-04-12', serial: 1 }),
  full_name: 'YOHANES LETSOIN',
  sex: 'L',
  birth_date: '1980-04-12',
  relationship: 'KEPALA_KELUARGA',
};

/** The downloadable template: header and one example row, CRLF line ends. */
export function templateCsv(): string {
  return toCsv([[...IMPORT_COLUMNS], IMPORT_COLUMNS.map((column) => EXAMPLE[column])]);
}
