import { inflateRawSync } from 'node:zlib';
import { fileError, type SheetRow } from './issues.ts';

/*
 * A minimal XLSX reader: enough of ZIP (central directory, stored and
 * deflate entries) and of SpreadsheetML (first sheet, shared and inline
 * strings, numbers, booleans, date formats) to read an import template,
 * without a dependency. An uploaded file is untrusted, so sizes and entry
 * counts are capped before anything is inflated.
 */

export const XLSX_LIMITS = {
  /** Uncompressed bytes over all entries; a real template is far below this. */
  maxUncompressedBytes: 50 * 1024 * 1024,
  maxEntries: 5000,
} as const;

export type XlsxLimits = { maxUncompressedBytes: number; maxEntries: number };

/** Excel's last column, XFD. */
const MAX_COLUMNS = 16_384;

// ---------------------------------------------------------------- ZIP

type ZipEntry = { name: string; method: number; flags: number; compressedSize: number; size: number; offset: number };

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

function invalid(detail: string): never {
  return fileError('IMPORT_XLSX_INVALID', {}, `not a readable XLSX: ${detail}`);
}

/** True if the bytes start like a ZIP archive (an XLSX is one). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

function zipEntries(buf: Buffer, limits: XlsxLimits): Map<string, ZipEntry> {
  // The end record sits in the last 22 bytes plus a comment of up to 64 KiB.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) invalid('no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) invalid('ZIP64 is not supported');
  if (count > limits.maxEntries) {
    fileError('IMPORT_XLSX_TOO_MANY_ENTRIES', { max: limits.maxEntries }, `${count} entries in the archive`);
  }
  if (cdOffset + cdSize > buf.length) invalid('central directory out of bounds');

  const entries = new Map<string, ZipEntry>();
  let total = 0;
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL_SIGNATURE) invalid('bad central directory entry');
    const nameLength = buf.readUInt16LE(p + 28);
    const entry: ZipEntry = {
      flags: buf.readUInt16LE(p + 8),
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      offset: buf.readUInt32LE(p + 42),
      name: buf.toString('utf8', p + 46, p + 46 + nameLength),
    };
    total += entry.size;
    if (total > limits.maxUncompressedBytes) {
      fileError('IMPORT_FILE_TOO_LARGE', { maxBytes: limits.maxUncompressedBytes }, 'declared uncompressed size over the cap');
    }
    // Part names are case-insensitive in OPC.
    entries.set(entry.name.replace(/^\/+/, '').toLowerCase(), entry);
    p += 46 + nameLength + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return entries;
}

/**
 * An entry's bytes. Inflation is bounded by the declared size, so an entry
 * that lies about its size cannot expand past the cap.
 */
function entryData(buf: Buffer, entry: ZipEntry, limits: XlsxLimits): Buffer {
  if (entry.flags & 1) invalid('encrypted entry');
  const p = entry.offset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== LOCAL_SIGNATURE) invalid('bad local header');
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const end = start + entry.compressedSize;
  if (end > buf.length) invalid('entry out of bounds');
  const raw = buf.subarray(start, end);
  let data: Buffer;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) {
    try {
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, Math.min(entry.size, limits.maxUncompressedBytes)) });
    } catch (error) {
      if (error instanceof RangeError) {
        fileError('IMPORT_FILE_TOO_LARGE', { maxBytes: limits.maxUncompressedBytes }, 'entry inflates past its declared size');
      }
      invalid('corrupt deflate data');
    }
  } else invalid(`compression method ${entry.method}`);
  if (data.length !== entry.size) invalid('entry size differs from the central directory');
  return data;
}

// ---------------------------------------------------------------- XML

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML entities, then OOXML's `_xHHHH_` escapes (Excel writes control characters that way). */
function decodeText(text: string): string {
  return text
    .replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name] ?? whole;
    })
    .replace(/_x([0-9a-f]{4})_/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of tag.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    found.set(m[1] ?? '', decodeText(m[2] ?? m[3] ?? ''));
  }
  return found;
}

/** Elements named `local` (any namespace prefix): their attributes text and inner XML ('' if self-closing). */
function* elements(xml: string, local: string): Generator<{ attrs: string; inner: string }> {
  const pattern = new RegExp(
    `<(?:[\\w.-]+:)?${local}(?=[\\s/>])([^>]*?)(?:/>|>([\\s\\S]*?)</(?:[\\w.-]+:)?${local}\\s*>)`,
    'g',
  );
  for (const m of xml.matchAll(pattern)) yield { attrs: m[1] ?? '', inner: m[2] ?? '' };
}

/** The text of a string item: plain `<t>` or rich-text runs, without phonetic hints (`<rPh>`). */
function stringItemText(inner: string): string {
  const visible = inner.replace(/<(?:[\w.-]+:)?rPh\b[\s\S]*?<\/(?:[\w.-]+:)?rPh\s*>/g, '');
  let text = '';
  for (const t of elements(visible, 't')) text += decodeText(t.inner);
  return text;
}

// ---------------------------------------------------------------- Dates

const DAY_MS = 86_400_000;

/**
 * An Excel date serial → YYYY-MM-DD, or null if it is no date Excel can show.
 * The 1900 system counts 1900-01-01 as 1 and has a phantom 1900-02-29 (60),
 * kept from Lotus 1-2-3; the 1904 system (old Mac workbooks) counts from
 * 1904-01-01 as 0. A fraction (time of day) is dropped.
 */
export function excelSerialToIsoDate(serial: number, date1904 = false): string | null {
  if (!Number.isFinite(serial)) return null;
  const days = Math.floor(serial);
  let epoch: number;
  if (date1904) {
    if (days < 0 || days > 2_957_003) return null;
    epoch = Date.UTC(1904, 0, 1);
  } else {
    if (days < 1 || days > 2_958_465 || days === 60) return null;
    epoch = days < 60 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
  }
  return new Date(epoch + days * DAY_MS).toISOString().slice(0, 10);
}

// Built-in number formats that show a date (14–17, 22; 27–36 and 50–58 in East Asian locales).
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** A custom format shows a date if it has a day or year part outside quotes, escapes and [brackets]. */
function isDateFormatCode(code: string): boolean {
  const bare = code.replace(/"[^"]*"|\\.|\[[^\]]*\]/g, '');
  return /[dy]/i.test(bare);
}

/** For each cell style index, whether it formats numbers as dates. */
function dateStyles(stylesXml: string | undefined): boolean[] {
  if (stylesXml === undefined) return [];
  const custom = new Map<number, string>();
  for (const f of elements(stylesXml, 'numFmt')) {
    const a = attributes(f.attrs);
    custom.set(Number(a.get('numFmtId')), a.get('formatCode') ?? '');
  }
  const cellXfs = [...elements(stylesXml, 'cellXfs')][0];
  if (cellXfs === undefined) return [];
  return [...elements(cellXfs.inner, 'xf')].map((xf) => {
    const id = Number(attributes(xf.attrs).get('numFmtId') ?? 0);
    const code = custom.get(id);
    return code !== undefined ? isDateFormatCode(code) : BUILTIN_DATE_FORMATS.has(id);
  });
}

// ---------------------------------------------------------------- Workbook

type Relationship = { type: string; target: string };

function relationships(xml: string | undefined): Map<string, Relationship> {
  const rels = new Map<string, Relationship>();
  if (xml === undefined) return rels;
  for (const r of elements(xml, 'Relationship')) {
    const a = attributes(r.attrs);
    if (a.get('TargetMode') === 'External') continue;
    rels.set(a.get('Id') ?? '', { type: a.get('Type') ?? '', target: a.get('Target') ?? '' });
  }
  return rels;
}

/** A relationship target, relative to the folder of the part that owns it (or absolute). */
function resolvePart(ownerDir: string, target: string): string {
  const parts = target.startsWith('/') ? [] : ownerDir.split('/').filter(Boolean);
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') parts.pop();
    else parts.push(segment);
  }
  return parts.join('/');
}

const dirOf = (path: string) => path.slice(0, path.lastIndexOf('/') + 1);
const relsOf = (path: string) => `${dirOf(path)}_rels/${path.slice(path.lastIndexOf('/') + 1)}.rels`;
const byType = (rels: Map<string, Relationship>, suffix: string) =>
  [...rels.values()].find((r) => r.type.endsWith(suffix));

function columnIndex(ref: string): number {
  const letters = /^[A-Z]+/i.exec(ref)?.[0].toUpperCase() ?? '';
  let index = 0;
  for (const ch of letters) index = index * 26 + (ch.charCodeAt(0) - 64);
  return index - 1;
}

/**
 * Number text as the person typed it: Excel stores up to 17 digits
 * (-3.6954000000000002) but shows and keeps 15 significant ones.
 */
function numberText(raw: string): string {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) return raw.trim();
  // Excel keeps 15 significant digits, so a 16-digit number (a NIK or KK typed
  // into a General cell) has lost its last digit. Exponent form keeps it from
  // passing as an identity number.
  if (Number.isInteger(n) && Math.abs(n) >= 1e15) return n.toExponential().toUpperCase();
  return String(Number(n.toPrecision(15)));
}

/**
 * The first visible worksheet of an XLSX as rows, numbered by their `r`
 * attributes, with missing cells as '' and blank rows left out. Numbers in
 * a date format become YYYY-MM-DD; other numbers are shown shortest-exact.
 */
export function readXlsx(bytes: Uint8Array, limits: XlsxLimits = XLSX_LIMITS): SheetRow[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!looksLikeZip(buf)) invalid('not a ZIP archive');
  const entries = zipEntries(buf, limits);
  const part = (path: string): string | undefined => {
    const entry = entries.get(path.toLowerCase());
    return entry === undefined ? undefined : entryData(buf, entry, limits).toString('utf8');
  };

  const packageRels = relationships(part('_rels/.rels'));
  const workbookPath = resolvePart('', byType(packageRels, '/officeDocument')?.target ?? 'xl/workbook.xml');
  const workbook = part(workbookPath) ?? invalid('no workbook part');
  const workbookRels = relationships(part(relsOf(workbookPath)));

  const sheets = [...elements(workbook, 'sheet')].map((s) => attributes(s.attrs));
  const sheet = sheets.find((a) => !/hidden/i.test(a.get('state') ?? '')) ?? sheets[0] ?? invalid('no sheets');
  const relId = [...sheet.entries()].find(([name]) => name === 'r:id' || name.endsWith(':id'))?.[1] ?? '';
  const sheetTarget = workbookRels.get(relId)?.target ?? invalid('sheet relationship missing');
  const sheetXml = part(resolvePart(dirOf(workbookPath), sheetTarget)) ?? invalid('sheet part missing');

  const stringsRel = byType(workbookRels, '/sharedStrings');
  const stringsXml = part(stringsRel ? resolvePart(dirOf(workbookPath), stringsRel.target) : `${dirOf(workbookPath)}sharedStrings.xml`);
  const shared = stringsXml === undefined ? [] : [...elements(stringsXml, 'si')].map((si) => stringItemText(si.inner));
  const stylesRel = byType(workbookRels, '/styles');
  const isDateStyle = dateStyles(part(stylesRel ? resolvePart(dirOf(workbookPath), stylesRel.target) : `${dirOf(workbookPath)}styles.xml`));
  const workbookPr = [...elements(workbook, 'workbookPr')][0];
  const date1904 = /^(1|true)$/i.test(workbookPr ? (attributes(workbookPr.attrs).get('date1904') ?? '') : '');

  const cellText = (a: Map<string, string>, inner: string): string => {
    const type = a.get('t') ?? 'n';
    const value = [...elements(inner, 'v')][0]?.inner;
    switch (type) {
      case 's': {
        if (value === undefined) return '';
        const text = shared[Number(value)];
        return text ?? invalid('shared string index out of range');
      }
      case 'inlineStr': {
        const is = [...elements(inner, 'is')][0];
        return is === undefined ? '' : stringItemText(is.inner);
      }
      case 'b':
        return value === undefined ? '' : value.trim() === '1' ? 'TRUE' : 'FALSE';
      case 'd': {
        const text = decodeText(value ?? '').trim();
        return /^\d{4}-\d{2}-\d{2}(T00:00(:00(\.0+)?)?Z?)?$/.test(text) ? text.slice(0, 10) : text;
      }
      case 'n': {
        if (value === undefined) return '';
        const style = Number(a.get('s') ?? 0);
        if (isDateStyle[style] === true) return excelSerialToIsoDate(Number(value), date1904) ?? numberText(value);
        return numberText(value);
      }
      default: // str (a formula's text), e (an error such as #N/A)
        return decodeText(value ?? '');
    }
  };

  const rows: SheetRow[] = [];
  let rowNumber = 0;
  const sheetData = [...elements(sheetXml, 'sheetData')][0]?.inner ?? '';
  for (const r of elements(sheetData, 'row')) {
    const declared = Number(attributes(r.attrs).get('r'));
    rowNumber = Number.isInteger(declared) && declared > 0 ? declared : rowNumber + 1;
    const cells: string[] = [];
    let column = -1;
    for (const c of elements(r.inner, 'c')) {
      const a = attributes(c.attrs);
      const ref = a.get('r');
      column = ref !== undefined && /^[A-Z]+/i.test(ref) ? columnIndex(ref) : column + 1;
      if (column >= MAX_COLUMNS) invalid('column beyond XFD');
      const text = cellText(a, c.inner);
      while (cells.length < column) cells.push('');
      cells[column] = text;
    }
    while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
    if (cells.length > 0) rows.push({ row: rowNumber, cells });
  }
  return rows;
}
