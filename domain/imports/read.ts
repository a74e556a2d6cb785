import { parseCsv } from './csv.ts';
import { fileError, type SheetRow } from './issues.ts';
import { XLSX_LIMITS, looksLikeZip, readXlsx } from './xlsx.ts';

// An OLE2 compound file: an old .xls, or any password-protected Office file.
const OLE2_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/**
 * The rows of an uploaded file, told apart by content rather than by name:
 * XLSX (a ZIP), or CSV text. CSV is read as UTF-8 and, if it is not valid
 * UTF-8, as Windows-1252, which is what Excel's plain "CSV" option writes.
 */
export function readImportFile(bytes: Uint8Array): SheetRow[] {
  if (OLE2_MAGIC.every((b, i) => bytes[i] === b)) {
    fileError('IMPORT_FORMAT_NOT_SUPPORTED', {}, 'OLE2 compound file (.xls or encrypted workbook)');
  }
  if (looksLikeZip(bytes)) return readXlsx(bytes);
  if (bytes.byteLength > XLSX_LIMITS.maxUncompressedBytes) {
    fileError('IMPORT_FILE_TOO_LARGE', { maxBytes: XLSX_LIMITS.maxUncompressedBytes }, 'CSV over the size cap');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder('windows-1252').decode(bytes);
  }
  return parseCsv(text);
}
