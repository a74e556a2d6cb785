import { fileError, type SheetRow } from './issues.ts';

export type CsvSeparator = ',' | ';';

/**
 * Excel writes `;` where the locale's decimal mark is a comma, as in
 * Indonesia. The header holds no quoted separators in practice, so counting
 * the separators on its first line (outside quotes) is enough to tell.
 */
export function detectSeparator(text: string): CsvSeparator {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (ch === '\n' || ch === '\r') break;
    else if (ch === ',') commas++;
    else if (ch === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

// Excel's hint line (`sep=;`) names the separator and is not a row of the sheet.
const SEP_HINT = /^sep=([,;])\r?\n/i;

/**
 * RFC 4180 CSV: quoted fields with `""` escapes and embedded line breaks,
 * CRLF or LF, a leading BOM ignored. Returns non-blank rows numbered as a
 * spreadsheet shows them (a quoted line break stays inside its row; blank
 * lines still count). Leniencies, as Excel reads them: a quote inside an
 * unquoted field is literal, and text after a closing quote is appended.
 * An unterminated quote is an ImportFileError naming the row it opened on.
 */
export function parseCsv(text: string, separator?: CsvSeparator): SheetRow[] {
  let source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const hint = SEP_HINT.exec(source);
  if (hint !== null) source = source.slice(hint[0].length);
  const sep = separator ?? (hint?.[1] as CsvSeparator | undefined) ?? detectSeparator(source);

  const rows: SheetRow[] = [];
  let rowNumber = 1;
  let cells: string[] = [];
  let field = '';
  let quoted = false;
  let quoteRow = 0;
  let fieldStart = true;

  const endRow = () => {
    cells.push(field);
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ row: rowNumber, cells });
    rowNumber++;
    cells = [];
    field = '';
    fieldStart = true;
  };

  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (source[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
      continue;
    }
    if (ch === '"' && fieldStart) {
      quoted = true;
      quoteRow = rowNumber;
      fieldStart = false;
    } else if (ch === sep) {
      cells.push(field);
      field = '';
      fieldStart = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && source[i + 1] === '\n') i++;
      endRow();
    } else {
      field += ch;
      fieldStart = false;
    }
  }
  if (quoted) fileError('IMPORT_UNTERMINATED_QUOTE', { row: quoteRow }, `unterminated quote opened on row ${quoteRow}`, quoteRow);
  // A last line without a line break is still a row; a trailing line break adds none.
  if (!fieldStart || field !== '' || cells.length > 0) endRow();
  return rows;
}

/**
 * RFC 4180 output with CRLF line ends. Fields holding either separator are
 * quoted too, so the header's bare separators always tell which one it is.
 */
export function toCsv(rows: readonly (readonly string[])[], separator: CsvSeparator = ','): string {
  const field = (value: string) => (/[",;\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return rows.map((cells) => cells.map(field).join(separator) + '\r\n').join('');
}
