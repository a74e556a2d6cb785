/** Read access to the batch files operators upload for a bulk import, under `imports/<importId>/`. */
export interface ImportFiles {
  /**
   * The file's bytes, or undefined when there is no such object (deleted, or an event for a key never written).
   * A file over `maxBytes` is not read: ImportFileTooLarge.
   */
  read(key: string, maxBytes: number): Promise<Uint8Array | undefined>;
}

export class ImportFileTooLarge extends Error {
  override readonly name = 'ImportFileTooLarge';
  constructor(readonly size: number) {
    super(`The import file has ${size} bytes`);
  }
}

/** Largest batch file accepted: about 60,000 CSV rows, far more than a village has. */
export const IMPORT_MAX_BYTES = 10 * 1024 * 1024;

export const IMPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** The MIME type an upload slot pins for each format (S3 refuses any other). */
export const IMPORT_CONTENT_TYPES: Readonly<Record<ImportFormat, string>> = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The one key an import's file may have: fixed by the upload policy, so the processor can trust it. */
export const importObjectKey = (importId: string, format: ImportFormat) => `imports/${importId}/batch.${format}`;

const IMPORT_KEY = /^imports\/([0-7][0-9A-HJKMNP-TV-Z]{25})\/batch\.(csv|xlsx)$/;

/** The import a key belongs to, or undefined for any other key under the prefix. */
export function parseImportObjectKey(key: string): { importId: string; format: ImportFormat } | undefined {
  const match = IMPORT_KEY.exec(key);
  return match ? { importId: match[1]!, format: match[2] as ImportFormat } : undefined;
}
