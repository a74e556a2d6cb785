import { isIssueCode, issue, type Lang, type Localized } from '../../domain/messages.ts';
import type { ImportJob, ImportOutcome } from '../adapters/records-store.ts';

/*
 * What an operator sees of an import: how far it got, the households that became drafts, and every rejected row
 * with its column and reason in their language. Outcomes never hold a cell's value, so nothing here can leak a NIK.
 */

/**
 * Why a whole file failed. The job keeps only the code, so codes whose domain text needs a parameter (which
 * column) get a text that does without it.
 */
const FAILURE_MESSAGES: Readonly<Record<string, Localized>> = {
  IMPORT_FILE_MISSING: {
    id: 'Berkas impor tidak ditemukan; mulai impor baru lalu unggah ulang.',
    en: 'The import file is not there; start a new import and upload it again.',
  },
  IMPORT_FILE_UNREADABLE: {
    id: 'Berkas tidak dapat dibaca; simpan ulang sebagai CSV atau .xlsx dari templat.',
    en: 'The file cannot be read; save it again as CSV or .xlsx from the template.',
  },
  IMPORT_COLUMN_MISSING: {
    id: 'Ada kolom templat yang tidak ada pada baris judul; unduh templat dan salin judul kolomnya.',
    en: 'A column of the template is missing from the header; download the template and copy its header.',
  },
  IMPORT_COLUMN_DUPLICATE: {
    id: 'Ada kolom yang muncul lebih dari sekali pada baris judul.',
    en: 'A column appears more than once in the header.',
  },
  IMPORT_COLUMN_UNKNOWN: {
    id: 'Baris judul berisi kolom yang tidak ada dalam templat.',
    en: 'The header has a column that is not in the template.',
  },
};

export function importFailureMessage(code: string): Localized {
  return (
    FAILURE_MESSAGES[code] ??
    (isIssueCode(code) ? issue('', code).message : { id: 'Berkas impor tidak dapat diproses.', en: 'The import file could not be processed.' })
  );
}

export function importView(job: ImportJob, outcomes: readonly ImportOutcome[], lang: Lang) {
  const accepted = [];
  const rejected = [];
  for (const outcome of outcomes) {
    if (outcome.proposalId !== undefined) {
      accepted.push({ householdRef: outcome.householdRef, rows: outcome.rows, proposalId: outcome.proposalId });
    } else {
      rejected.push({
        householdRef: outcome.householdRef,
        rows: outcome.rows,
        issues: (outcome.issues ?? []).map((issue) => ({
          row: issue.row,
          column: issue.column,
          code: issue.code,
          message: issue.message[lang],
        })),
      });
    }
  }
  return {
    importId: job.importId,
    status: job.status,
    format: job.format,
    createdAt: job.createdAt,
    ...(job.totalRows !== undefined && { totalRows: job.totalRows }),
    processedRows: job.processedRows,
    acceptedRows: job.acceptedRows,
    rejectedRows: job.rejectedRows,
    ...(job.error && { error: { code: job.error.code, message: importFailureMessage(job.error.code)[lang] } }),
    accepted,
    rejected,
  };
}
