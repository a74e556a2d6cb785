import { describe, expect, it } from 'vitest';
import { IMPORT_COLUMNS, templateCsv, type ImportColumn } from '../../../domain/imports/columns.ts';
import { parseCsv, toCsv } from '../../../domain/imports/csv.ts';
import type { SheetRow } from '../../../domain/imports/issues.ts';
import { columnLetter, householdsFromRows, householdsFromSheet, type ImportOutcome } from '../../../domain/imports/rows.ts';
import { readXlsx } from '../../../domain/imports/xlsx.ts';
import { composeNik } from '../../../domain/nik.ts';
import { makeImportBatch } from '../../support/import-batch.ts';
import { buildXlsx } from '../../support/xlsx-writer.ts';
import { malukuContext } from '../support/proposal-fixture.ts';

type Line = Record<ImportColumn, string>;

/** A valid household of Lelingluan (81.03.05.2001): head, wife, child. `n` keeps NIKs and KK apart. */
function household(ref: string, n = 1): Line[] {
  const base = {
    household_ref: ref,
    village_code: '81.03.05.2001',
    kk: `8103050101${String(23 + n).padStart(2, '0')}${String(n).padStart(4, '0')}`,
    address: 'Jl. Pantai Lelingluan No. 3',
    rt: '001',
    rw: '002',
    latitude: '-7.55',
    longitude: '131.4',
    programs: 'PKH;bpnt',
    criteria: 'LANTAI_TANAH;TANPA_JAMBAN',
  };
  const member = (full_name: string, sex: 'L' | 'P', birth_date: string, relationship: string, serial: number): Line => ({
    ...base,
    nik: composeNik({ districtCode: '81.03.05', sex, birthDate: birth_date, serial: n * 10 + serial }),
    full_name,
    sex,
    birth_date,
    relationship,
  });
  return [
    member('YOHANES LETSOIN', 'L', '1980-04-12', 'KEPALA_KELUARGA', 1),
    member("MARIA O'NEIL-BATLAYERI", 'P', '1984-11-03', 'ISTRI', 2),
    member('Yosef Letsoin', 'L', '2010-01-30', 'ANAK', 3),
  ];
}

/** Rows as a CSV file would give them, header on row 1. */
function sheetOf(lines: Line[], columns: readonly string[] = IMPORT_COLUMNS): SheetRow[] {
  return parseCsv(toCsv([[...columns], ...lines.map((line) => columns.map((c) => line[c as ImportColumn] ?? ''))]));
}

/** Sets a household-level column on every row of the household. */
const setAll = (lines: Line[], column: ImportColumn, value: string) => lines.forEach((line) => (line[column] = value));

const importLines = (lines: Line[], options = { context: malukuContext }) => householdsFromSheet(sheetOf(lines), options);

function ok(outcome: ImportOutcome) {
  if (!outcome.ok) throw new Error(`file-level issues: ${JSON.stringify(outcome.issues)}`);
  return outcome;
}
const located = (outcome: ImportOutcome) =>
  ok(outcome).rejected.map((r) => ({ householdRef: r.householdRef, rows: r.rows, issues: r.issues.map(({ row, column, code }) => ({ row, column, code })) }));

describe('templateCsv', () => {
  it('is the header in template order and one example row that passes every check, with CRLF line ends', () => {
    const csv = templateCsv();
    expect(csv.split('\r\n')).toEqual([IMPORT_COLUMNS.join(','), expect.stringMatching(/^KEL-001,81\.03\.05\.2001,/), '']);
    expect(csv.replaceAll('\r\n', '')).not.toMatch(/\n/);
    const outcome = ok(householdsFromSheet(parseCsv(csv), { context: malukuContext }));
    expect(outcome.rejected).toEqual([]);
    expect(outcome.accepted).toEqual([
      expect.objectContaining({ householdRef: 'KEL-001', rows: [2], flags: [] }),
    ]);
  });
});

describe('householdsFromRows', () => {
  it('builds one proposal per household, in order of first appearance, with the rows of its members', () => {
    const [a1, a2, a3] = household('A', 1);
    const [b1, b2] = household('B', 2);
    const outcome = ok(importLines([a1!, b1!, a2!, b2!, a3!]));
    expect(outcome.rejected).toEqual([]);
    expect(outcome.accepted.map(({ householdRef, rows }) => ({ householdRef, rows }))).toEqual([
      { householdRef: 'A', rows: [2, 4, 6] },
      { householdRef: 'B', rows: [3, 5] },
    ]);
    expect(outcome.accepted[0]?.input).toEqual({
      provinceCode: '81',
      regencyCode: '81.03',
      districtCode: '81.03.05',
      villageCode: '81.03.05.2001',
      household: {
        kk: a1!.kk,
        address: 'Jl. Pantai Lelingluan No. 3',
        rt: '001',
        rw: '002',
        location: { latitude: -7.55, longitude: 131.4 },
      },
      members: [
        { nik: a1!.nik, fullName: 'YOHANES LETSOIN', sex: 'L', birthDate: '1980-04-12', relationship: 'KEPALA_KELUARGA' },
        { nik: a2!.nik, fullName: "MARIA O'NEIL-BATLAYERI", sex: 'P', birthDate: '1984-11-03', relationship: 'ISTRI' },
        { nik: a3!.nik, fullName: 'Yosef Letsoin', sex: 'L', birthDate: '2010-01-30', relationship: 'ANAK' },
      ],
      programs: ['PKH', 'SEMBAKO'],
      criteria: ['LANTAI_TANAH', 'TANPA_JAMBAN'],
    });
  });

  it('rejects only the household with a bad NIK, naming the member\'s row and the nik column, never the value', () => {
    const a = household('A', 1);
    const b = household('B', 2);
    const badNik = composeNik({ districtCode: '81.03.05', sex: 'P', birthDate: '1980-04-12', serial: 99 });
    b[1]!.nik = badNik; // the wife's row now holds a NIK for another birth date
    const outcome = importLines([...a, ...b]);
    expect(ok(outcome).accepted.map((h) => h.householdRef)).toEqual(['A']);
    expect(located(outcome)).toEqual([
      { householdRef: 'B', rows: [5, 6, 7], issues: [{ row: 6, column: 'nik', code: 'NIK_BIRTH_DATE_MISMATCH' }] },
    ]);
    const text = JSON.stringify(outcome);
    expect(ok(outcome).rejected[0]?.issues[0]?.message.en).toBe('NIK of member 2 does not match the declared date of birth.');
    expect(JSON.stringify(ok(outcome).rejected)).not.toContain(badNik);
    expect(JSON.stringify(ok(outcome).rejected)).not.toContain(b[0]!.kk);
    expect(text).toContain(a[0]!.nik); // accepted inputs do carry their NIKs, of course
  });

  it('reports a household column whose rows disagree, on the disagreeing row', () => {
    const lines = household('A');
    lines[2]!.address = 'Jl. Lain No. 9';
    lines[1]!.latitude = '-7.56';
    lines[2]!.programs = 'SEMBAKO;PKH'; // the same programs in another order agree
    lines[1]!.longitude = '131,4'; // the same number with a decimal comma agrees
    const outcome = importLines(lines);
    expect(located(outcome)).toEqual([
      {
        householdRef: 'A',
        rows: [2, 3, 4],
        issues: [
          { row: 4, column: 'address', code: 'IMPORT_HOUSEHOLD_FIELD_MISMATCH' },
          { row: 3, column: 'latitude', code: 'IMPORT_HOUSEHOLD_FIELD_MISMATCH' },
        ],
      },
    ]);
    expect(ok(outcome).rejected[0]?.issues[0]?.message).toEqual({
      id: 'Alamat berbeda dengan baris 2 dari keluarga yang sama.',
      en: 'Address differs from row 2 of the same household.',
    });
  });

  it('takes a household column left blank on later rows as the same value', () => {
    const lines = household('A');
    for (const line of lines.slice(1)) {
      for (const column of ['village_code', 'kk', 'address', 'rt', 'rw', 'latitude', 'longitude', 'programs', 'criteria'] as const) line[column] = '';
    }
    expect(ok(importLines(lines)).accepted).toHaveLength(1);
  });

  it('names the row a household value was read from when that value is wrong', () => {
    const lines = household('A');
    setAll(lines, 'rt', '');
    lines[1]!.rt = '12345';
    expect(located(importLines(lines))[0]?.issues).toEqual([{ row: 3, column: 'rt', code: 'INVALID_FORMAT' }]);
  });

  it('maps every kind of proposal problem to its row and column', () => {
    const lines = household('A');
    setAll(lines, 'village_code', '81.03.05.2999');
    setAll(lines, 'kk', '9999990101230001');
    setAll(lines, 'latitude', 'utara');
    setAll(lines, 'criteria', 'LANTAI_TANAH;BUKAN_KRITERIA');
    lines[1]!.full_name = '';
    lines[2]!.relationship = 'KEPALA_KELUARGA';
    lines[2]!.birth_date = '2030-01-30';
    expect(located(importLines(lines))[0]?.issues).toEqual([
      { row: 2, column: 'latitude', code: 'INVALID_TYPE' },
      { row: 3, column: 'full_name', code: 'REQUIRED' },
      { row: 2, column: 'criteria', code: 'INVALID_ENUM_VALUE' },
      { row: 2, column: 'village_code', code: 'VILLAGE_UNKNOWN' },
      { row: 2, column: 'kk', code: 'KK_DISTRICT_UNKNOWN' },
      { row: 4, column: 'birth_date', code: 'BIRTH_DATE_IN_FUTURE' },
      { row: 4, column: 'nik', code: 'NIK_BIRTH_DATE_MISMATCH' },
      { row: 2, column: 'relationship', code: 'HEAD_OF_HOUSEHOLD_COUNT' },
    ]);
  });

  it('reports a malformed village code once, not again for the province, regency and district it would give', () => {
    const lines = household('A');
    for (const line of lines) line.village_code = '81.03.05';
    expect(located(importLines(lines))[0]?.issues).toEqual([{ row: 2, column: 'village_code', code: 'INVALID_FORMAT' }]);
  });

  it('reads cells the way spreadsheets and people write them', () => {
    const lines = household('A');
    lines[0]!.village_code = '8103052001'; // dots dropped
    lines[0]!.programs = 'pkh, PBI-JKN; BLT-DD'; // aliases, case, commas
    lines[0]!.criteria = 'lantai tanah;Tanpa-Jamban';
    lines[0]!.latitude = '-7,55';
    lines[0]!.birth_date = '29323'; // an Excel date serial saved as General
    lines[1]!.birth_date = '3/11/1984'; // day first, as written in Indonesia
    lines[1]!.sex = 'Perempuan';
    lines[2]!.sex = 'l';
    lines[2]!.relationship = 'anak';
    lines[2]!.nik = ` '${lines[2]!.nik.slice(0, 8)} ${lines[2]!.nik.slice(8)}`;
    for (const line of lines.slice(1)) Object.assign(line, { village_code: '', programs: '', criteria: '', latitude: '' });
    const [accepted] = ok(importLines(lines)).accepted;
    expect(accepted?.input).toMatchObject({
      villageCode: '81.03.05.2001',
      programs: ['PKH', 'PBI_JKN', 'BLT_DD'],
      criteria: ['LANTAI_TANAH', 'TANPA_JAMBAN'],
      household: { location: { latitude: -7.55 } },
      members: [
        { birthDate: '1980-04-12' },
        { birthDate: '1984-11-03', sex: 'P' },
        { sex: 'L', relationship: 'ANAK', nik: household('A')[2]!.nik },
      ],
    });
  });

  it('explains a NIK or KK that a spreadsheet turned into a rounded number', () => {
    const lines = household('A');
    lines[1]!.nik = '8.10305E+15';
    setAll(lines, 'kk', '8.10305010123E+15');
    const outcome = importLines(lines);
    expect(located(outcome)[0]?.issues).toEqual([
      { row: 2, column: 'kk', code: 'IMPORT_NUMBER_LOST_DIGITS' },
      { row: 3, column: 'nik', code: 'IMPORT_NUMBER_LOST_DIGITS' },
    ]);
    expect(ok(outcome).rejected[0]?.issues[1]?.message.en).toBe(
      'NIK was saved as a number and lost its last digits; format the column as Text and type it again.',
    );
  });

  it('rejects the later household when a NIK or KK is already used in the file', () => {
    const a = household('A', 1);
    const b = household('B', 2);
    b[2]!.nik = a[1]!.nik;
    b[2]!.sex = 'P';
    b[2]!.birth_date = '1984-11-03';
    setAll(b, 'kk', a[0]!.kk);
    const outcome = importLines([...a, ...b]);
    expect(ok(outcome).accepted.map((h) => h.householdRef)).toEqual(['A']);
    expect(located(outcome)[0]?.issues).toEqual([
      { row: 5, column: 'kk', code: 'IMPORT_DUPLICATE_IN_FILE' },
      { row: 7, column: 'nik', code: 'IMPORT_DUPLICATE_IN_FILE' },
    ]);
    expect(ok(outcome).rejected[0]?.issues[1]?.message.id).toBe('NIK sudah dipakai keluarga lain pada baris 3 dalam berkas ini.');
  });

  it('rejects a row without household_ref on its own and keeps the rest', () => {
    const a = household('A', 1);
    const stray = { ...household('B', 2)[0]!, household_ref: '' };
    const outcome = importLines([a[0]!, stray, a[1]!, a[2]!]);
    expect(ok(outcome).accepted.map((h) => ({ ref: h.householdRef, rows: h.rows }))).toEqual([{ ref: 'A', rows: [2, 4, 5] }]);
    expect(located(outcome)).toEqual([{ householdRef: '', rows: [3], issues: [{ row: 3, column: 'household_ref', code: 'REQUIRED' }] }]);
  });

  it('rejects a row with more cells than the header (an unquoted comma in an address)', () => {
    const csv = toCsv([[...IMPORT_COLUMNS], ...household('A').map((l) => IMPORT_COLUMNS.map((c) => l[c]))]);
    const broken = csv.replace('Jl. Pantai Lelingluan No. 3', 'Jl. Pantai, Lelingluan No. 3');
    const outcome = householdsFromSheet(parseCsv(broken), { context: malukuContext });
    expect(located(outcome)[0]?.issues).toContainEqual({ row: 2, column: null, code: 'IMPORT_ROW_TOO_MANY_CELLS' });
  });

  it('ignores blank rows and trailing empty cells, as Excel leaves them', () => {
    const sheet = sheetOf(household('A'));
    const padded: SheetRow[] = [
      { row: 1, cells: [...(sheet[0]?.cells ?? []), '', ''] },
      { row: 2, cells: [...(sheet[1]?.cells ?? []), ''] },
      { row: 3, cells: IMPORT_COLUMNS.map(() => ' ') },
      ...sheet.slice(2).map((r) => ({ row: r.row + 1, cells: r.cells })),
    ];
    expect(ok(householdsFromSheet(padded, { context: malukuContext })).accepted[0]?.rows).toEqual([2, 4, 5]);
  });

  it('validates the schema only when no context is given', () => {
    const lines = household('A');
    for (const line of lines) line.village_code = '81.03.05.2999';
    expect(ok(importLines(lines, {} as never)).accepted).toHaveLength(1);
    expect(located(importLines(lines))[0]?.issues).toEqual([{ row: 2, column: 'village_code', code: 'VILLAGE_UNKNOWN' }]);
  });

  it('passes on the domain flags of accepted households', () => {
    const lines = household('A');
    lines[1]!.nik = '9101014311840002'; // Merauke before the 2022 split
    const [accepted] = ok(importLines(lines)).accepted;
    expect(accepted?.flags).toEqual([expect.objectContaining({ code: 'NIK_DISTRICT_RECODED', path: 'members.1.nik' })]);
  });

  describe('header', () => {
    it('reports missing, unknown and repeated columns for the whole file, without echoing unknown names', () => {
      const columns = [...IMPORT_COLUMNS.filter((c) => c !== 'rt' && c !== 'sex'), 'nik', '8103051204800001', 'catatan'];
      const outcome = householdsFromSheet(sheetOf(household('A'), columns));
      expect(outcome).toEqual({
        ok: false,
        issues: [
          { row: 1, column: 'nik', code: 'IMPORT_COLUMN_DUPLICATE', message: expect.anything() },
          { row: 1, column: null, code: 'IMPORT_COLUMN_UNKNOWN', message: expect.anything() },
          { row: 1, column: null, code: 'IMPORT_COLUMN_UNKNOWN', message: expect.anything() },
          { row: 1, column: 'rt', code: 'IMPORT_COLUMN_MISSING', message: expect.anything() },
          { row: 1, column: 'sex', code: 'IMPORT_COLUMN_MISSING', message: expect.anything() },
        ],
      });
      const issues = outcome.ok ? [] : outcome.issues;
      expect(issues[1]?.message.en).toBe('Header column O is not a column of the template.');
      expect(issues[3]?.message.id).toBe('Kolom "rt" tidak ada pada baris judul.');
      expect(JSON.stringify(outcome)).not.toContain('8103051204800001');
    });

    it('says the header is missing when the first row is data', () => {
      const [first, ...rest] = household('A');
      const rows = sheetOf([first!, ...rest]).slice(1);
      const outcome = householdsFromRows(rows[0]!.cells, rows.slice(1), { headerRow: rows[0]!.row });
      expect(outcome).toEqual({ ok: false, issues: [expect.objectContaining({ row: 2, code: 'IMPORT_HEADER_MISSING' })] });
      expect(JSON.stringify(outcome)).not.toContain(first!.nik);
    });

    it('matches column names whatever their case, spacing or order', () => {
      const columns = [...IMPORT_COLUMNS].reverse();
      const sheet = sheetOf(household('A'), columns);
      sheet[0]!.cells = sheet[0]!.cells.map((c) => ` ${c.toUpperCase().replaceAll('_', ' ')} `);
      expect(ok(householdsFromSheet(sheet, { context: malukuContext })).accepted).toHaveLength(1);
    });

    it('says so when the file has a header but no data', () => {
      expect(householdsFromSheet(sheetOf([]))).toEqual({ ok: false, issues: [expect.objectContaining({ code: 'IMPORT_NO_ROWS' })] });
      expect(householdsFromSheet([])).toEqual({ ok: false, issues: [expect.objectContaining({ code: 'IMPORT_NO_ROWS' })] });
    });
  });

  it.each([
    [0, 'A'],
    [25, 'Z'],
    [26, 'AA'],
    [701, 'ZZ'],
    [702, 'AAA'],
  ])('columnLetter(%d) = %s', (index, letters) => {
    expect(columnLetter(index)).toBe(letters);
  });
});

describe('makeImportBatch', () => {
  const batch = makeImportBatch();
  const expected = {
    accepted: batch.accepted.map((h) => ({ householdRef: h.householdRef, rows: h.rows })),
    rejected: batch.rejected.map(({ householdRef, rows, issues }) => ({ householdRef, rows, issues })),
  };
  const actual = (outcome: ImportOutcome) => ({
    accepted: ok(outcome).accepted.map((h) => ({ householdRef: h.householdRef, rows: h.rows })),
    rejected: located(outcome),
  });

  it('makes about 5,000 rows with unique NIKs and KKs and every kind of bad household', () => {
    expect(batch.rowCount).toBeGreaterThanOrEqual(4900);
    const niks = batch.table.slice(1).map((row) => row[IMPORT_COLUMNS.indexOf('nik')]);
    expect(new Set(niks).size).toBe(niks.length);
    const kks = new Set(batch.table.slice(1).map((row) => `${row[0]}|${row[IMPORT_COLUMNS.indexOf('kk')]}`));
    expect(new Set([...kks].map((k) => k.split('|')[1])).size).toBe(kks.size);
    expect(new Set(batch.rejected.map((r) => r.kind)).size).toBe(9);
    expect(batch.accepted.length).toBeGreaterThan(batch.rejected.length * 5);
  });

  it('imports from CSV with exactly the expected outcome', () => {
    expect(actual(householdsFromSheet(parseCsv(batch.csv), { context: malukuContext }))).toEqual(expected);
  });

  it('imports the same from a `;` CSV and from an XLSX', () => {
    const semicolons = makeImportBatch({ households: 200, badEvery: 3, separator: ';' });
    const small = {
      accepted: semicolons.accepted.map((h) => ({ householdRef: h.householdRef, rows: h.rows })),
      rejected: semicolons.rejected.map(({ householdRef, rows, issues }) => ({ householdRef, rows, issues })),
    };
    expect(actual(householdsFromSheet(parseCsv(semicolons.csv), { context: malukuContext }))).toEqual(small);
    const xlsx = buildXlsx(semicolons.table, { deflate: true });
    expect(actual(householdsFromSheet(readXlsx(xlsx), { context: malukuContext }))).toEqual(small);
  });
});
