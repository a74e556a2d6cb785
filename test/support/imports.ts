import { createHash, randomUUID } from 'node:crypto';
import type { S3Event } from 'aws-lambda';
import { expect } from 'vitest';
import type { Caller } from '../../domain/access.ts';
import { IMPORT_COLUMNS } from '../../domain/imports/columns.ts';
import { toCsv } from '../../domain/imports/csv.ts';
import { loadRegionData } from '../../domain/region-source.ts';
import { S3ImportFiles } from '../../functions/adapters/s3-import-files.ts';
import type { RecordsStore } from '../../functions/adapters/records-store.ts';
import type { ImportDeps } from '../../functions/application/import-batch.ts';
import { objectCreatedRecord } from '../../local/s3/events.ts';
import { postToSlot, type ApiHarness } from './api-harness.ts';
import { TEST_CREDENTIALS, TEST_REGION } from './global-setup.ts';
import type { ImportBatch } from './import-batch.ts';

/** The import processor's dependencies on the harness's own table and bucket. */
export function importDeps(api: ApiHarness, overrides: Partial<ImportDeps> = {}): ImportDeps {
  return {
    store: api.deps.store,
    bucket: api.bucket,
    files: new S3ImportFiles(api.clients.s3, api.bucket),
    regions: api.deps.regions,
    provinceCode: api.deps.provinceCode,
    now: api.deps.now,
    ...overrides,
  };
}

/** An S3 ObjectCreated notification for one uploaded object, as S3 sends it (key form-URL-encoded). */
export function objectCreatedEvent(bucket: string, key: string, bytes: Uint8Array): S3Event {
  return {
    Records: [
      objectCreatedRecord({
        eventName: 'ObjectCreated:Post',
        region: TEST_REGION,
        bucket,
        key,
        size: bytes.byteLength,
        etag: createHash('md5').update(bytes).digest('hex'),
        accessKeyId: TEST_CREDENTIALS.accessKeyId,
        sourceIp: '10.0.0.1',
        requestId: randomUUID(),
        eventTime: new Date(),
      }),
    ],
  };
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** POST /imports as the operator, then the file through the presigned POST it hands back, as a browser would. */
export async function startAndUpload(api: ApiHarness, caller: Caller, format: 'csv' | 'xlsx', bytes: Uint8Array) {
  const started = await api.call('startImport', { caller, body: { format } });
  expect(started.status).toBe(201);
  const { importId, upload } = started.body as { importId: string; upload: { url: string; fields: Record<string, string> } };
  const uploaded = await postToSlot(upload, bytes);
  expect(uploaded.status, await uploaded.clone().text()).toBeLessThan(300);
  const key = upload.fields.key!;
  return { importId, key, event: objectCreatedEvent(api.bucket, key, bytes) };
}

export type ExpectedIssue = { row: number; column: string; code: string };
export type ExpectedImport = {
  rowCount: number;
  accepted: { householdRef: string; rows: number[] }[];
  rejected: { householdRef: string; rows: number[]; issues: ExpectedIssue[] }[];
};

const VILLAGE_COLUMN = IMPORT_COLUMNS.indexOf('village_code');
const REF_COLUMN = IMPORT_COLUMNS.indexOf('household_ref');

/**
 * makeImportBatch's households (spread over all of Maluku) as one village's operator would upload them: every
 * household moved into `village`, except that every `outsideEvery`-th good household and every
 * `outsideEvery`-th bad one stay in a village of their own (so are refused for it, row by row, the bad ones with
 * their planted problem too), and `unreferenced` member rows without a household_ref are appended at the end.
 * Households planted with an unknown village keep it (the domain's own issue, not a second one).
 */
export function batchForVillage(
  batch: ImportBatch,
  village: string,
  { outsideEvery = 40, unreferenced = 2 }: { outsideEvery?: number; unreferenced?: number } = {},
): { table: string[][]; csv: string; expected: ExpectedImport } {
  const table = batch.table.map((cells) => [...cells]);
  const cellsOf = (row: number) => table[row - 1]!;
  const knownVillages = new Set(loadRegionData('81').villages);
  const staysOutside = (index: number, rows: number[]) => {
    const own = cellsOf(rows[0]!)[VILLAGE_COLUMN]!;
    return index % outsideEvery === outsideEvery - 1 && own !== village && knownVillages.has(own);
  };
  const outsideIssues = (rows: number[]) => rows.map((row) => ({ row, column: 'village_code', code: 'VILLAGE_OUTSIDE_REGION' }));

  const expected: ExpectedImport = { rowCount: 0, accepted: [], rejected: [] };
  batch.accepted.forEach(({ householdRef, rows }, index) => {
    if (staysOutside(index, rows)) {
      expected.rejected.push({ householdRef, rows, issues: outsideIssues(rows) });
      return;
    }
    for (const row of rows) cellsOf(row)[VILLAGE_COLUMN] = village;
    expected.accepted.push({ householdRef, rows });
  });
  batch.rejected.forEach(({ householdRef, rows, kind, issues }, index) => {
    const planted = issues.map((issue) => ({ row: issue.row, column: issue.column ?? '', code: issue.code }));
    if (kind !== 'VILLAGE_UNKNOWN' && staysOutside(index, rows)) {
      expected.rejected.push({ householdRef, rows, issues: [...planted, ...outsideIssues(rows)] });
      return;
    }
    if (kind !== 'VILLAGE_UNKNOWN') for (const row of rows) cellsOf(row)[VILLAGE_COLUMN] = village;
    expected.rejected.push({ householdRef, rows, issues: planted });
  });

  // A member row without its household reference cannot be grouped: it stands alone, refused, under `#<row>`.
  const template = cellsOf(expected.accepted[0]!.rows[0]!);
  for (let i = 0; i < unreferenced; i++) {
    const cells = [...template];
    cells[REF_COLUMN] = '';
    table.push(cells);
    const row = table.length;
    expected.rejected.push({ householdRef: `#${row}`, rows: [row], issues: [{ row, column: 'household_ref', code: 'REQUIRED' }] });
  }

  const byFirstRow = (a: { rows: number[] }, b: { rows: number[] }) => a.rows[0]! - b.rows[0]!;
  expected.accepted.sort(byFirstRow);
  expected.rejected.sort(byFirstRow);
  expected.rowCount = table.length - 1;
  return { table, csv: toCsv(table), expected };
}

type ImportView = {
  status: string;
  totalRows?: number;
  processedRows: number;
  acceptedRows: number;
  rejectedRows: number;
  accepted: { householdRef: string; rows: number[]; proposalId: string }[];
  rejected: { householdRef: string; rows: number[]; issues: { row: number; column: string; code: string; message: string }[] }[];
};

const byPlace = (a: ExpectedIssue, b: ExpectedIssue) =>
  a.row - b.row || a.column.localeCompare(b.column) || a.code.localeCompare(b.code);

/** The report is exactly the expected one: counters, every accepted household, every rejected row's reasons. */
export function expectReport(view: ImportView, expected: ExpectedImport) {
  const rows = (list: { rows: number[] }[]) => list.reduce((sum, item) => sum + item.rows.length, 0);
  expect(view.status).toBe('DONE');
  expect({
    totalRows: view.totalRows,
    processedRows: view.processedRows,
    acceptedRows: view.acceptedRows,
    rejectedRows: view.rejectedRows,
  }).toEqual({
    totalRows: expected.rowCount,
    processedRows: expected.rowCount,
    acceptedRows: rows(expected.accepted),
    rejectedRows: rows(expected.rejected),
  });
  expect(view.accepted.map(({ householdRef, rows }) => ({ householdRef, rows }))).toEqual(expected.accepted);
  expect(
    view.rejected.map(({ householdRef, rows, issues }) => ({
      householdRef,
      rows,
      issues: issues.map(({ row, column, code }) => ({ row, column, code })).sort(byPlace),
    })),
  ).toEqual(expected.rejected.map((household) => ({ ...household, issues: [...household.issues].sort(byPlace) })));
  // Every row of the file is in exactly one outcome.
  const seen = [...view.accepted, ...view.rejected].flatMap((household) => household.rows).sort((a, b) => a - b);
  expect(seen).toEqual(Array.from({ length: expected.rowCount }, (_, i) => i + 2));
  for (const household of view.rejected) for (const issue of household.issues) expect(issue.message).not.toBe('');
}

/** Every proposal of the village, page by page. */
export async function villageProposals(store: RecordsStore, village: string) {
  const all = [];
  let cursor: string | undefined;
  do {
    const page = await store.listProposals({ region: village, limit: 100, ...(cursor && { cursor }) });
    all.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return all;
}
