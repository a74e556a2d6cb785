import { issue, type IssueCode, type IssueParams, type Localized } from '../messages.ts';

/** One spreadsheet row: its number as the spreadsheet shows it (header = 1) and its cells, left to right. */
export type SheetRow = { row: number; cells: string[] };

/**
 * A problem in an import file, located the way the operator will look for
 * it: spreadsheet row and template column. Either may be null when the
 * problem has no single place (e.g. an unreadable file).
 */
export type ImportIssue = { row: number | null; column: string | null; code: IssueCode; message: Localized };

export function importIssue(
  row: number | null,
  column: string | null,
  code: IssueCode,
  params: IssueParams = {},
): ImportIssue {
  const { message } = issue(column ?? '', code, params);
  return { row, column, code, message };
}

/**
 * The whole file cannot be read. `issues` are for the operator; `detail`
 * (English, never a cell value) is for logs.
 */
export class ImportFileError extends Error {
  readonly issues: ImportIssue[];

  constructor(issues: ImportIssue[], detail?: string) {
    const first = issues[0];
    super(detail ?? first?.message.en ?? 'The import file cannot be read.');
    this.name = 'ImportFileError';
    this.issues = issues;
  }
}

/** Throws a file-level error with a single issue. */
export function fileError(code: IssueCode, params: IssueParams = {}, detail?: string, row: number | null = null): never {
  throw new ImportFileError([importIssue(row, null, code, params)], detail);
}
