import { deflateRawSync } from 'node:zlib';

/*
 * Builds XLSX files for tests, byte by byte, so the reader is tested against
 * files it did not write itself in the same code path. Only what the reader
 * needs: one or more sheets, shared and inline strings, numbers, booleans
 * and date-formatted serials.
 */

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE 802.3), as ZIP stores it. */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export type ZipInput = {
  name: string;
  data: Uint8Array | string;
  /** Deflate this entry (default: stored). */
  deflate?: boolean;
  /** Lie about the uncompressed size in the central directory (zip-bomb tests). */
  declaredSize?: number;
};

/** A ZIP archive with a central directory; sizes and offsets are 32-bit (no ZIP64). */
export function zip(entries: readonly ZipInput[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : Buffer.from(entry.data);
    const body = entry.deflate ? deflateRawSync(data) : data;
    const name = Buffer.from(entry.name, 'utf8');
    const crc = crc32(data);
    const size = entry.declaredSize ?? data.length;
    const method = entry.deflate ? 8 : 0;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * A cell: a string goes to the shared strings; `null`/`undefined` leaves a
 * gap (no <c> element at all).
 */
export type XlsxCell =
  | string
  | number
  | boolean
  | null
  | undefined
  | { inline: string }
  | { rich: string[] }
  | { date: number }
  /** A number exactly as Excel may store it, e.g. `0.10000000000000001`. */
  | { numberText: string }
  | { formulaText: string };

export type XlsxRow = XlsxCell[] | { row: number; cells: XlsxCell[] };

export type XlsxSheet = { name: string; rows: XlsxRow[]; hidden?: boolean };

export type XlsxOptions = {
  deflate?: boolean;
  /** Write no `r` attributes on rows and cells (some generators omit them). */
  omitRefs?: boolean;
  date1904?: boolean;
  /** Extra archive entries, e.g. padding for the entry-count cap. */
  extraEntries?: ZipInput[];
};

const escapeXml = (text: string) =>
  text.replace(/[<>&"]/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[ch] ?? ch);

export const columnName = (index: number): string => {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
};

/** A workbook of the given sheets; the first listed is the first tab. */
export function buildXlsx(sheets: XlsxSheet[] | XlsxRow[], options: XlsxOptions = {}): Buffer {
  const list: XlsxSheet[] =
    sheets.length > 0 && typeof sheets[0] === 'object' && sheets[0] !== null && 'name' in sheets[0]
      ? (sheets as XlsxSheet[])
      : [{ name: 'Sheet1', rows: sheets as XlsxRow[] }];

  const shared: string[] = [];
  const sharedIndex = new Map<string, number>();
  const sharedXml: string[] = [];
  const share = (key: string, xml: string) => {
    let index = sharedIndex.get(key);
    if (index === undefined) {
      index = shared.length;
      shared.push(key);
      sharedIndex.set(key, index);
      sharedXml.push(xml);
    }
    return index;
  };

  const cellXml = (cell: XlsxCell, ref: string): string => {
    const r = options.omitRefs ? '' : ` r="${ref}"`;
    if (cell === null || cell === undefined) return '';
    if (typeof cell === 'string') return `<c${r} t="s"><v>${share(`s:${cell}`, `<si><t xml:space="preserve">${escapeXml(cell)}</t></si>`)}</v></c>`;
    if (typeof cell === 'number') return `<c${r}><v>${cell}</v></c>`;
    if (typeof cell === 'boolean') return `<c${r} t="b"><v>${cell ? 1 : 0}</v></c>`;
    if ('inline' in cell) return `<c${r} t="inlineStr"><is><t>${escapeXml(cell.inline)}</t></is></c>`;
    if ('rich' in cell) {
      const runs = cell.rich.map((t, i) => `<r><rPr><b val="${i % 2}"/></rPr><t xml:space="preserve">${escapeXml(t)}</t></r>`);
      // A phonetic hint, which is not part of the text.
      return `<c${r} t="s"><v>${share(`r:${cell.rich.join('\u0000')}`, `<si>${runs.join('')}<rPh sb="0" eb="1"><t>ふりがな</t></rPh></si>`)}</v></c>`;
    }
    if ('date' in cell) return `<c${r} s="1"><v>${cell.date}</v></c>`;
    if ('numberText' in cell) return `<c${r} t="n"><v>${cell.numberText}</v></c>`;
    return `<c${r} t="str"><f>CONCAT("x")</f><v>${escapeXml(cell.formulaText)}</v></c>`;
  };

  const sheetXml = (sheet: XlsxSheet): string => {
    let next = 1;
    const rows = sheet.rows.map((row) => {
      const { row: number, cells } = Array.isArray(row) ? { row: next, cells: row } : row;
      next = number + 1;
      const r = options.omitRefs ? '' : ` r="${number}"`;
      return `<row${r}>${cells.map((cell, i) => cellXml(cell, `${columnName(i)}${number}`)).join('')}</row>`;
    });
    return (
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
      `<sheetData>${rows.join('')}</sheetData></worksheet>`
    );
  };

  const ns = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const workbook =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${ns}">` +
    `<workbookPr${options.date1904 ? ' date1904="1"' : ''}/><sheets>` +
    list
      .map((s, i) => `<sheet name="${escapeXml(s.name)}" sheetId="${i + 1}"${s.hidden ? ' state="hidden"' : ''} r:id="rId${i + 1}"/>`)
      .join('') +
    '</sheets></workbook>';
  const sheetParts = list.map((s) => sheetXml(s)); // fills the shared strings
  const n = list.length;
  const workbookRels =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
    list.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${ns}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('') +
    `<Relationship Id="rId${n + 1}" Type="${ns}/sharedStrings" Target="sharedStrings.xml"/>` +
    `<Relationship Id="rId${n + 2}" Type="${ns}/styles" Target="/xl/styles.xml"/>` +
    '</Relationships>';
  const sharedStrings =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${shared.length}" uniqueCount="${shared.length}">` +
    sharedXml.join('') +
    '</sst>';
  // Style 0 is General; style 1 a custom day-first date format, as an Indonesian Excel writes it.
  const styles =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="[$-421]dd/mm/yyyy;@"/></numFmts>' +
    '<cellXfs count="2"><xf numFmtId="0" fontId="0"/><xf numFmtId="164" fontId="0" applyNumberFormat="1"/></cellXfs>' +
    '</styleSheet>';
  const contentTypes =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
    '</Types>';
  const rootRels =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
    `<Relationship Id="rId1" Type="${ns}/officeDocument" Target="xl/workbook.xml"/>` +
    '</Relationships>';

  const deflate = options.deflate ?? false;
  return zip([
    { name: '[Content_Types].xml', data: contentTypes, deflate },
    { name: '_rels/.rels', data: rootRels, deflate },
    { name: 'xl/workbook.xml', data: workbook, deflate },
    { name: 'xl/_rels/workbook.xml.rels', data: workbookRels, deflate },
    ...sheetParts.map((data, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data, deflate })),
    { name: 'xl/sharedStrings.xml', data: sharedStrings, deflate },
    { name: 'xl/styles.xml', data: styles, deflate },
    ...(options.extraEntries ?? []),
  ]);
}
