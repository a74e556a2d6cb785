import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectSeparator, parseCsv, toCsv } from '../../../domain/imports/csv.ts';
import { ImportFileError } from '../../../domain/imports/issues.ts';

const cellsOf = (text: string) => parseCsv(text).map((r) => r.cells);

function fileErrorOf(run: () => unknown): ImportFileError {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportFileError) return error;
    throw error;
  }
  throw new Error('expected an ImportFileError');
}

describe('parseCsv', () => {
  it('reads rows numbered as a spreadsheet shows them, header first', () => {
    expect(parseCsv('a,b\r\n1,2\r\n3,4\r\n')).toEqual([
      { row: 1, cells: ['a', 'b'] },
      { row: 2, cells: ['1', '2'] },
      { row: 3, cells: ['3', '4'] },
    ]);
  });

  it('accepts LF, CRLF, a lone CR and no final line break', () => {
    expect(cellsOf('a,b\n1,2\r\n3,4\r5,6')).toEqual([['a', 'b'], ['1', '2'], ['3', '4'], ['5', '6']]);
  });

  it('strips a byte order mark', () => {
    expect(parseCsv('\uFEFFhousehold_ref,nik\r\nK1,1\r\n')[0]).toEqual({ row: 1, cells: ['household_ref', 'nik'] });
  });

  it('unquotes fields holding separators, doubled quotes and line breaks, keeping them in one row', () => {
    const text = 'ref,address,note\r\nK1,"Jl. Pattimura, No. 12","He said ""hi"""\r\nK2,"Dusun A\r\nRT 3","x"\r\nK3,plain,\r\n';
    expect(parseCsv(text)).toEqual([
      { row: 1, cells: ['ref', 'address', 'note'] },
      { row: 2, cells: ['K1', 'Jl. Pattimura, No. 12', 'He said "hi"'] },
      { row: 3, cells: ['K2', 'Dusun A\r\nRT 3', 'x'] },
      { row: 4, cells: ['K3', 'plain', ''] },
    ]);
  });

  it('keeps empty fields, including quoted ones', () => {
    expect(cellsOf('a,,""\r\n,,\r\n')).toEqual([['a', '', ''], ['', '', '']]);
  });

  it('skips blank lines but still counts them, as a spreadsheet would show an empty row', () => {
    expect(parseCsv('a,b\r\n\r\n1,2\n\n\n3,4\n')).toEqual([
      { row: 1, cells: ['a', 'b'] },
      { row: 3, cells: ['1', '2'] },
      { row: 6, cells: ['3', '4'] },
    ]);
  });

  it('reads a quote inside an unquoted field literally, and text after a closing quote as more text (as Excel does)', () => {
    expect(cellsOf('a,b\r\nSoka"an,"Jl. ""A"" "No. 3\r\n')).toEqual([['a', 'b'], ['Soka"an', 'Jl. "A" No. 3']]);
  });

  it('detects `;` from the header, as Excel writes in the Indonesian locale', () => {
    const text = 'household_ref;latitude;programs\r\nK1;-3,6954;"PKH;SEMBAKO"\r\n';
    expect(cellsOf(text)).toEqual([['household_ref', 'latitude', 'programs'], ['K1', '-3,6954', 'PKH;SEMBAKO']]);
  });

  it('keeps `,` when the header uses it, even if later rows hold semicolons', () => {
    expect(cellsOf('a,b\r\nPKH;SEMBAKO,x;y;z\r\n')).toEqual([['a', 'b'], ['PKH;SEMBAKO', 'x;y;z']]);
  });

  it('honours Excel\'s sep= hint line and does not count it as a row', () => {
    expect(parseCsv('sep=;\r\na;b,c\r\n1;2\r\n')).toEqual([
      { row: 1, cells: ['a', 'b,c'] },
      { row: 2, cells: ['1', '2'] },
    ]);
  });

  it('lets the caller force the separator', () => {
    expect(cellsOf('a;b;c,d\r\n')).toEqual([['a', 'b', 'c,d']]);
    expect(parseCsv('a;b;c,d\r\n', ',').map((r) => r.cells)).toEqual([['a;b;c', 'd']]);
  });

  it('reports an unterminated quote with the row it opened on', () => {
    const error = fileErrorOf(() => parseCsv('a,b\r\n1,2\r\n3,"Jl. Pattimura\r\n4,5\r\n'));
    expect(error.issues).toEqual([
      {
        row: 3,
        column: null,
        code: 'IMPORT_UNTERMINATED_QUOTE',
        message: {
          id: 'Tanda kutip yang dibuka pada baris 3 tidak pernah ditutup.',
          en: 'A quote opened on row 3 is never closed.',
        },
      },
    ]);
    expect(error.message).toMatch(/row 3/);
  });

  it('returns nothing for an empty file', () => {
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('\uFEFF\r\n')).toEqual([]);
  });
});

describe('detectSeparator', () => {
  it.each([
    ['a,b,c\r\n', ','],
    ['a;b;c\r\n', ';'],
    ['"a;x",b,c\n', ','],
    ['"a,x";b;c\n', ';'],
    ['single\n', ','],
  ])('%j → %j', (text, separator) => {
    expect(detectSeparator(text)).toBe(separator);
  });
});

describe('toCsv', () => {
  it('quotes only what needs it, with CRLF line ends', () => {
    expect(toCsv([['a', 'b c', 'd,e', 'f"g', 'h;i', 'j\nk']])).toBe('a,b c,"d,e","f""g","h;i","j\nk"\r\n');
    expect(toCsv([['a', 'b,c']], ';')).toBe('a;"b,c"\r\n');
  });
});

describe('CSV round trip', () => {
  // Any text, including quotes, both separators and line breaks; a BOM only at
  // the very start would be dropped, and a `sep=` first line is a hint, so both are left out.
  const text = fc.string({ unit: fc.oneof(fc.constantFrom('"', ',', ';', '\r', '\n', '\r\n', ' ', 'é', '🙂'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 12 });
  const table = fc
    .array(fc.array(text, { minLength: 2, maxLength: 6 }), { minLength: 1, maxLength: 8 })
    .filter((rows) => !(rows[0]?.[0] ?? '').startsWith('sep=') && !(rows[0]?.[0] ?? '').startsWith('\uFEFF'));

  it.each([',', ';'] as const)('parseCsv(toCsv(rows, %j)) gives the rows back, numbered in order', (separator) => {
    fc.assert(
      fc.property(table, (rows) => {
        const parsed = parseCsv(toCsv(rows, separator));
        expect(parsed).toEqual(rows.map((cells, i) => ({ row: i + 1, cells })));
      }),
      { numRuns: 300 },
    );
  });
});
