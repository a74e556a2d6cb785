import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ImportFileError } from '../../../domain/imports/issues.ts';
import { readImportFile } from '../../../domain/imports/read.ts';
import { householdsFromSheet } from '../../../domain/imports/rows.ts';
import { XLSX_LIMITS, excelSerialToIsoDate, readXlsx } from '../../../domain/imports/xlsx.ts';
import { buildXlsx, crc32, zip } from '../../support/xlsx-writer.ts';
import { malukuContext } from '../support/proposal-fixture.ts';

function fileErrorOf(run: () => unknown): ImportFileError {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportFileError) return error;
    throw error;
  }
  throw new Error('expected an ImportFileError');
}
const codeOf = (run: () => unknown) => fileErrorOf(run).issues.map((i) => i.code);

describe('readXlsx', () => {
  it.each([false, true])('reads shared strings, inline strings, numbers and booleans (deflate: %s)', (deflate) => {
    const file = buildXlsx(
      [
        ['household_ref', 'nik', { inline: 'latitude' }, 'flag'],
        ['K1', { inline: '8103051204800001' }, -3.6954, true],
        ['K1 & <co>', 'Jl. "A"', 131.4, false],
      ],
      { deflate },
    );
    expect(readXlsx(file)).toEqual([
      { row: 1, cells: ['household_ref', 'nik', 'latitude', 'flag'] },
      { row: 2, cells: ['K1', '8103051204800001', '-3.6954', 'TRUE'] },
      { row: 3, cells: ['K1 & <co>', 'Jl. "A"', '131.4', 'FALSE'] },
    ]);
  });

  it('joins rich-text runs and leaves out phonetic hints', () => {
    expect(readXlsx(buildXlsx([[{ rich: ['YOHANES ', 'LET', 'SOIN'] }, 'x']]))).toEqual([
      { row: 1, cells: ['YOHANES LETSOIN', 'x'] },
    ]);
  });

  it('fills gaps with empty cells and numbers rows by their r attribute', () => {
    const file = buildXlsx([['a', null, 'c'], { row: 5, cells: [null, null, 'x', undefined, 'y'] }, [{ inline: '' }]]);
    expect(readXlsx(file)).toEqual([
      { row: 1, cells: ['a', '', 'c'] },
      { row: 5, cells: ['', '', 'x', '', 'y'] },
    ]);
  });

  it('counts rows and cells in order when the r attributes are left out', () => {
    expect(readXlsx(buildXlsx([['a', 'b'], ['c', 'd']], { omitRefs: true }))).toEqual([
      { row: 1, cells: ['a', 'b'] },
      { row: 2, cells: ['c', 'd'] },
    ]);
  });

  it('shows numbers as typed rather than as Excel stores them, and a formula by its value', () => {
    const file = buildXlsx([[{ numberText: '0.10000000000000001' }, { numberText: '-3.6954000000000002' }, { numberText: '3' }, { formulaText: 'PKH' }]]);
    expect(readXlsx(file)[0]?.cells).toEqual(['0.1', '-3.6954', '3', 'PKH']);
  });

  it('turns a 16-digit number into exponent form, because Excel has already dropped its last digit', () => {
    expect(readXlsx(buildXlsx([[8103051204800001, { numberText: '8103051204800000' }]]))[0]?.cells).toEqual([
      '8.103051204800001E+15',
      '8.1030512048E+15',
    ]);
  });

  it('reads a date-formatted number as YYYY-MM-DD and leaves a General serial as digits', () => {
    expect(readXlsx(buildXlsx([[{ date: 29323 }, 29323, { date: 29323.5 }]]))[0]?.cells).toEqual([
      '1980-04-12',
      '29323',
      '1980-04-12',
    ]);
  });

  it('honours the 1904 date system', () => {
    expect(readXlsx(buildXlsx([[{ date: 27861 }]], { date1904: true }))[0]?.cells).toEqual(['1980-04-12']);
  });

  it('reads the first visible sheet', () => {
    const file = buildXlsx([
      { name: 'Petunjuk', rows: [['hidden instructions']], hidden: true },
      { name: 'Data', rows: [['household_ref'], ['K1']] },
      { name: 'Other', rows: [['nope']] },
    ]);
    expect(readXlsx(file).map((r) => r.cells)).toEqual([['household_ref'], ['K1']]);
  });

  it('reads a workbook written by another tool (openpyxl)', () => {
    const sheet = readXlsx(readFileSync(new URL('./fixtures/openpyxl-template.xlsx', import.meta.url)));
    expect(sheet[2]).toEqual({
      row: 3,
      cells: [
        'KEL-001', '81.03.05.2001', '8103050101230001', 'Jl. Pantai Lelingluan No. 3', '001', '002', '-7.55', '131.4',
        'PKH;SEMBAKO', 'LANTAI_TANAH;TANPA_JAMBAN', '8103054311840002', 'Maria Letsoin', 'P', '1984-11-03', 'ISTRI',
      ],
    });
    const outcome = householdsFromSheet(sheet, { context: malukuContext });
    expect(outcome).toMatchObject({ ok: true, rejected: [], accepted: [{ householdRef: 'KEL-001', rows: [2, 3] }] });
  });

  describe('untrusted archives', () => {
    it('refuses a file whose entries add up to more than the cap, before inflating anything', () => {
      const file = buildXlsx([['a']], {
        extraEntries: [{ name: 'xl/media/big.bin', data: 'x', declaredSize: XLSX_LIMITS.maxUncompressedBytes }],
      });
      const error = fileErrorOf(() => readXlsx(file));
      expect(error.issues.map((i) => i.code)).toEqual(['IMPORT_FILE_TOO_LARGE']);
      expect(error.issues[0]?.message.en).toBe('The file is too large (at most 50 MB uncompressed).');
    });

    it('refuses an entry that inflates to more than it declared (a zip bomb in a small file)', () => {
      // The sheet part itself is the bomb: zeros, declared as 1 kB. Inflation stops at the
      // declared size, so how far it would expand does not matter (4 MB keeps the test fast).
      const zeros = Buffer.alloc(4 * 1024 * 1024);
      const bomb = buildXlsx([['a']]);
      const file = zip([
        { name: '_rels/.rels', data: readPart(bomb, '_rels/.rels') },
        { name: 'xl/workbook.xml', data: readPart(bomb, 'xl/workbook.xml') },
        { name: 'xl/_rels/workbook.xml.rels', data: readPart(bomb, 'xl/_rels/workbook.xml.rels') },
        { name: 'xl/worksheets/sheet1.xml', data: zeros, deflate: true, declaredSize: 1024 },
      ]);
      expect(file.length).toBeLessThan(20 * 1024);
      expect(codeOf(() => readXlsx(file))).toEqual(['IMPORT_FILE_TOO_LARGE']);
    });

    it('refuses an archive with too many entries', () => {
      const extraEntries = Array.from({ length: XLSX_LIMITS.maxEntries }, (_, i) => ({ name: `pad/${i}`, data: '' }));
      const error = fileErrorOf(() => readXlsx(buildXlsx([['a']], { extraEntries })));
      expect(error.issues[0]).toMatchObject({ code: 'IMPORT_XLSX_TOO_MANY_ENTRIES' });
      expect(error.issues[0]?.message.en).toBe(`The Excel file has too many parts (at most ${XLSX_LIMITS.maxEntries}).`);
    });

    it('accepts smaller limits from the caller', () => {
      const file = buildXlsx([['a']]);
      expect(codeOf(() => readXlsx(file, { maxEntries: 3, maxUncompressedBytes: 1e6 }))).toEqual(['IMPORT_XLSX_TOO_MANY_ENTRIES']);
      expect(codeOf(() => readXlsx(file, { maxEntries: 100, maxUncompressedBytes: 100 }))).toEqual(['IMPORT_FILE_TOO_LARGE']);
    });

    it.each([
      ['not a zip', Buffer.from('household_ref,nik\r\n')],
      ['a truncated zip', buildXlsx([['a']]).subarray(0, 200)],
      ['a zip without a workbook', zip([{ name: 'hello.txt', data: 'hi' }])],
    ])('reports %s as an unreadable workbook', (_, bytes) => {
      expect(codeOf(() => readXlsx(bytes))).toEqual(['IMPORT_XLSX_INVALID']);
    });
  });
});

/** One part of an archive the writer made (stored entries), for building variants of it. */
function readPart(file: Buffer, name: string): string {
  const sheet = file.indexOf(Buffer.from(name));
  if (sheet < 0) throw new Error(`no ${name}`);
  const size = file.readUInt32LE(sheet - 30 + 18);
  const start = sheet + name.length;
  return file.toString('utf8', start, start + size);
}

describe('crc32 (test writer)', () => {
  it('matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});

describe('excelSerialToIsoDate', () => {
  it.each([
    [1, '1900-01-01'],
    [59, '1900-02-28'],
    [61, '1900-03-01'],
    [29323, '1980-04-12'],
    [45809, '2025-06-01'],
    [29323.99, '1980-04-12'],
    [2958465, '9999-12-31'],
  ])('%d → %s', (serial, iso) => {
    expect(excelSerialToIsoDate(serial)).toBe(iso);
  });

  it('has no date for 0, the phantom 1900-02-29 (60), or past 9999', () => {
    expect(excelSerialToIsoDate(0)).toBeNull();
    expect(excelSerialToIsoDate(60)).toBeNull();
    expect(excelSerialToIsoDate(2958466)).toBeNull();
    expect(excelSerialToIsoDate(Number.NaN)).toBeNull();
  });

  it('counts from 1904-01-01 in the 1904 system', () => {
    expect(excelSerialToIsoDate(0, true)).toBe('1904-01-01');
    expect(excelSerialToIsoDate(27861, true)).toBe('1980-04-12');
  });
});

describe('readImportFile', () => {
  it('reads an XLSX by its content, whatever it was called', () => {
    expect(readImportFile(buildXlsx([['a', 'b']]))).toEqual([{ row: 1, cells: ['a', 'b'] }]);
  });

  it('reads UTF-8 CSV, and Windows-1252 CSV when the bytes are not UTF-8', () => {
    expect(readImportFile(Buffer.from('a;b\r\nSoka"an;Désa\r\n'))[1]?.cells).toEqual(['Soka"an', 'Désa']);
    expect(readImportFile(Buffer.from('a,b\r\nx,D\xe9sa\r\n', 'latin1'))[1]?.cells).toEqual(['x', 'Désa']);
  });

  it('refuses old .xls and password-protected workbooks with advice', () => {
    const ole2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);
    const error = fileErrorOf(() => readImportFile(ole2));
    expect(error.issues[0]).toMatchObject({ code: 'IMPORT_FORMAT_NOT_SUPPORTED', message: { en: expect.stringContaining('.xlsx') } });
  });
});
