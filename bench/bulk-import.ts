/**
 * Figure 4: a bulk import of 100,000 CSV rows (--quick 5,000) end to end, as a village operator sends it: POST
 * /imports for a presigned slot, the file through it into the local S3 store, the S3 notification starts the
 * import processor (the real bundle, in its sandbox), which writes a DRAFT per household and an outcome per
 * household. Rows per second: all rows over the time from the first upload until every import is DONE.
 *
 * An import file may hold at most 10 MB (IMPORT_MAX_BYTES); rows that do not fit in one file go into as many
 * files as they need, uploaded at once, as several operators would.
 *
 * For scale, the same run then writes the same number of items with a bare BatchWriteItem loop (25 items a
 * request, as many requests at once as the processor writes households) into the same DynamoDB Local: the ratio
 * says how much of the import's time is DynamoDB's floor and how much is everything else. A second bare loop
 * writes each household as the processor does, one TransactWriteItems of three puts, and nothing else: the
 * ratio to it says how much of that distance is the transactions themselves.
 */
import { TransactWriteItemsCommand, TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IMPORT_COLUMNS } from '../domain/imports/columns.ts';
import { toCsv } from '../domain/imports/csv.ts';
import { IMPORT_MAX_BYTES } from '../functions/adapters/import-files.ts';
import { IMPORT_CONCURRENCY } from '../functions/application/import-batch.ts';
import { localClients } from '../local/clients.ts';
import { levelAtLeast, levelAtMost, type Figure, type Verdict } from './figure.ts';
import { postToSlot, signIn, type UploadSlot } from './support/api.ts';
import { benchUser, importRows } from './support/households.ts';
import { createKeyedTable, writeItems } from './support/batch-write.ts';
import type { Progress } from './support/progress.ts';
import { withBenchRuntime } from './support/runtime.ts';

type Parameters = { rows: number; maxFileBytes: number; bareConcurrency: number };

/** Lambda's longest run is 15 minutes: an import file must finish inside one (a timed-out run is retried from its outcomes). */
const LAMBDA_TIMEOUT_S = 900;
/** A synchronous Lambda response (API Gateway's integration) may not exceed 6 MB. */
const LAMBDA_RESPONSE_BYTES = 6 * 1024 * 1024;
const RATIO = { ok: 0.25, watch: 0.1 };

interface ImportFile {
  csv: Uint8Array;
  rows: number;
  households: number;
}

/** Households from `first` on, cut into CSV files of at most maxBytes, until `rows` rows are written. */
function importFiles(rows: number, maxBytes: number, first: number): ImportFile[] {
  const header = toCsv([[...IMPORT_COLUMNS]]);
  const encoder = new TextEncoder();
  const files: ImportFile[] = [];
  let lines: string[] = [];
  let bytes = header.length;
  let fileRows = 0;
  let households = 0;
  let written = 0;
  const close = () => {
    files.push({ csv: encoder.encode(header + lines.join('')), rows: fileRows, households });
    lines = [];
    bytes = header.length;
    fileRows = 0;
    households = 0;
  };
  for (let h = first; written < rows; h++) {
    const household = importRows(h, 1).map((cells) => toCsv([cells]));
    const size = household.reduce((total, line) => total + Buffer.byteLength(line), 0);
    if (bytes + size > maxBytes) close();
    lines.push(...household);
    bytes += size;
    fileRows += household.length;
    households += 1;
    written += household.length;
  }
  close();
  return files;
}

export const bulkImport: Figure<Parameters> = {
  id: 'bulk-import',
  title: 'Bulk import of CSV rows end to end through the import processor, against a bare BatchWriteItem loop',
  parameters: (options) => ({ rows: options.quick ? 5_000 : 100_000, maxFileBytes: IMPORT_MAX_BYTES, bareConcurrency: IMPORT_CONCURRENCY }),

  metrics: () => ({
    'rows per second': { unit: 'rows/s', digits: 0 },
    'bare BatchWriteItem items per second': { unit: 'items/s', digits: 0 },
    'import / bare ratio': { unit: '', digits: 3 },
    'bare TransactWriteItems households per second': { unit: 'households/s', digits: 0 },
    'import / bare transactions ratio': { unit: '', digits: 3 },
    'rows imported': { unit: 'rows', digits: 0 },
    'rows processed': { unit: 'rows', digits: 0 },
    'rows accepted': { unit: 'rows', digits: 0 },
    'imports not finished': { unit: 'files', digits: 0 },
    'files needed (10 MB limit)': { unit: 'files', digits: 0 },
    'seconds for a full 10 MB file (projected)': { unit: 's', digits: 0 },
    'import report bytes': { unit: 'bytes', digits: 0 },
  }),

  async run({ parameters, progress, run }) {
    const files = importFiles(parameters.rows, parameters.maxFileBytes, 5_000_000 + run * 1_000_000);
    const totalRows = files.reduce((total, file) => total + file.rows, 0);
    progress.note(`${totalRows.toLocaleString('en-US')} rows in ${files.length} file(s) of ${files.map((file) => `${(file.csv.length / 1e6).toFixed(1)} MB`).join(', ')}`);
    const failures: string[] = [];
    return withBenchRuntime(
      `bulk-import-${run}`,
      progress,
      {
        onServiceMessage: (service, message) => {
          progress.warn(`${service}: ${message}`);
          if (service === 's3') failures.push(message);
        },
      },
      async ({ runtime }) => {
        const clients = localClients(runtime.endpoints);
        try {
          const operator = await signIn(runtime, benchUser('operator'));
          const imports: { importId: string; upload: UploadSlot; file: ImportFile; doneAt?: number }[] = [];
          for (const file of files) {
            const started = await operator.expect<{ importId: string; upload: UploadSlot }>(201, 'POST', '/imports', { format: 'csv' });
            imports.push({ ...started, file });
          }

          const t0 = Date.now();
          await Promise.all(imports.map(({ upload, file }) => postToSlot(upload, file.csv, 'text/csv')));
          const counter = progress.counter('rows processed', totalRows, 15_000);
          let processed = 0;
          let lastChange = Date.now();
          let jobs: Awaited<ReturnType<typeof clients.store.getImport>>[] = [];
          for (;;) {
            jobs = await Promise.all(imports.map(({ importId }) => clients.store.getImport(importId)));
            const now = jobs.reduce((total, job) => total + (job?.processedRows ?? 0), 0);
            if (now > processed) {
              counter.add(now - processed);
              processed = now;
              lastChange = Date.now();
            }
            jobs.forEach((job, i) => {
              if ((job?.status === 'DONE' || job?.status === 'FAILED') && imports[i]!.doneAt === undefined) imports[i]!.doneAt = Date.now();
            });
            if (imports.every((entry) => entry.doneAt !== undefined)) break;
            // A processor run that failed (locally: timed out after its 15 minutes) is not retried here; the rows it
            // got through are what this run measures. Anything that stops without a word gets 5 minutes.
            if (failures.length > 0 && Date.now() - lastChange > 10_000) break;
            if (Date.now() - lastChange > 5 * 60_000) {
              failures.push(`no row processed for 5 minutes (${processed}/${totalRows})`);
              break;
            }
            await new Promise((resolve) => setTimeout(resolve, 1000));
          }
          counter.finish();
          const endedAt = Math.max(lastChange, ...imports.map((entry) => entry.doneAt ?? 0));
          const seconds = (endedAt - t0) / 1000;
          const done = jobs.filter((job) => job?.status === 'DONE').length;
          const accepted = jobs.reduce((total, job) => total + (job?.acceptedRows ?? 0), 0);
          // Per file, for the 15-minute question: the slowest file's rows per second, scaled to a file of 10 MB.
          const perFile = imports.map((entry, i) => (jobs[i]?.processedRows ?? 0) / (((entry.doneAt ?? endedAt) - t0) / 1000));
          const bytesPerRow = files.reduce((total, file) => total + file.csv.length, 0) / totalRows;
          const rowsPerFullFile = parameters.maxFileBytes / bytesPerRow;

          // What the operator's screen asks for when the import is done: the whole report of the largest file.
          const largest = imports.reduce((a, b) => (b.file.rows > a.file.rows ? b : a));
          const reportStarted = Date.now();
          const report = await operator.call('GET', `/imports/${largest.importId}`);
          const reportMs = Date.now() - reportStarted;
          progress.note(`GET /imports/{id} of ${largest.file.rows} rows: ${report.status}, ${report.text.length} bytes in ${reportMs} ms`);

          const bareSeconds = await bareWrites(clients.dynamodb, `bench-bare-${run}`, totalRows, parameters.bareConcurrency, progress);
          const households = files.reduce((total, file) => total + file.households, 0);
          const bareTransactionSeconds = await bareTransactions(
            clients.dynamodb,
            `bench-bare-transactions-${run}`,
            households,
            parameters.bareConcurrency,
            progress,
          );
          return {
            metrics: {
              'rows per second': processed / seconds,
              'bare BatchWriteItem items per second': totalRows / bareSeconds,
              'import / bare ratio': processed / seconds / (totalRows / bareSeconds),
              'bare TransactWriteItems households per second': households / bareTransactionSeconds,
              // Rows per second either way: the bare transactions wrote the same households, so the same rows.
              'import / bare transactions ratio': processed / seconds / (totalRows / bareTransactionSeconds),
              'rows imported': totalRows,
              'rows processed': processed,
              'rows accepted': accepted,
              'imports not finished': imports.length - done,
              'files needed (10 MB limit)': files.length,
              'seconds for a full 10 MB file (projected)': rowsPerFullFile / Math.min(...perFile),
              'import report bytes': Buffer.byteLength(report.text),
            },
            details: {
              seconds,
              bareSeconds,
              bareTransactionSeconds,
              files: imports.map((entry, i) => ({
                rows: entry.file.rows,
                households: entry.file.households,
                bytes: entry.file.csv.length,
                status: jobs[i]?.status,
                processedRows: jobs[i]?.processedRows,
                seconds: ((entry.doneAt ?? endedAt) - t0) / 1000,
              })),
              report: { status: report.status, bytes: Buffer.byteLength(report.text), ms: reportMs },
              failures,
            },
          };
        } finally {
          clients.destroy();
        }
      },
    );
  },

  verdicts(medians, parameters) {
    const verdicts: Verdict[] = [];
    const projected = medians['seconds for a full 10 MB file (projected)'] ?? NaN;
    verdicts.push({
      metric: 'seconds for a full 10 MB file (projected)',
      level: levelAtMost(projected, LAMBDA_TIMEOUT_S / 2, LAMBDA_TIMEOUT_S),
      why: `one import file is one Lambda run of at most ${LAMBDA_TIMEOUT_S} s (locally too): ≤ ${LAMBDA_TIMEOUT_S / 2} s ok, ≤ ${LAMBDA_TIMEOUT_S} s watch, beyond it a full file cannot finish in one run`,
    });
    verdicts.push({
      metric: 'import / bare ratio',
      level: levelAtLeast(medians['import / bare ratio'] ?? NaN, RATIO.ok, RATIO.watch),
      why: `≥ ${RATIO.ok} ok, ≥ ${RATIO.watch} watch: each accepted household is one transaction of 3 items (draft, audit, outcome), and DynamoDB Local runs transactions far slower than batch writes, so some distance from a bare write is expected`,
    });
    const rows = medians['rows imported'] ?? NaN;
    const accepted = medians['rows accepted'] ?? NaN;
    verdicts.push({ metric: 'rows accepted', level: accepted === rows ? 'ok' : 'bad', why: 'every generated row is valid, so every row must be accepted' });
    const unfinished = medians['imports not finished'] ?? NaN;
    verdicts.push({
      metric: 'imports not finished',
      level: unfinished === 0 ? 'ok' : 'bad',
      why: unfinished === 0 ? 'every import reached DONE' : 'an import processor run failed or timed out (see details.failures); rows per second counts the rows it got through',
    });
    const files = medians['files needed (10 MB limit)'] ?? NaN;
    verdicts.push({
      metric: 'files needed (10 MB limit)',
      level: files > 1 ? 'watch' : 'info',
      why: `${parameters.rows.toLocaleString('en-US')} rows ${files > 1 ? `do not fit one ${parameters.maxFileBytes / 1024 / 1024} MB import file` : 'fit one import file'}`,
    });
    const reportBytes = medians['import report bytes'] ?? NaN;
    verdicts.push({
      metric: 'import report bytes',
      level: levelAtMost(reportBytes, LAMBDA_RESPONSE_BYTES / 2, LAMBDA_RESPONSE_BYTES),
      why: 'GET /imports/{id} returns every household outcome; on AWS a Lambda response above 6 MB fails (the local API does not enforce it)',
    });
    verdicts.push({ metric: 'rows per second', level: 'info', why: 'all files, from the first upload until every import is DONE' });
    verdicts.push({
      metric: 'import / bare transactions ratio',
      level: 'info',
      why: "against one TransactWriteItems per household (a household-sized put and two small puts, the import's own writes) into a table without indexes: what is left is the import's other work and the records table's indexes",
    });
    return verdicts;
  },
};

/** `count` items of about a row's size, 25 to a BatchWriteItem, `concurrency` requests at once; seconds taken. */
async function bareWrites(dynamodb: DynamoDBClient, tableName: string, count: number, concurrency: number, progress: Progress): Promise<number> {
  await createKeyedTable(dynamodb, tableName);
  const items = importRows(9_000_000, Math.ceil(count / 2))
    .slice(0, count)
    .map((cells, i) => ({ pk: `ROW#${i}`, sk: 'ROW', cells: cells.join(',') }));
  const counter = progress.counter('bare items written', count, 15_000);
  const started = Date.now();
  await writeItems(dynamodb, tableName, items, { concurrency, onBatch: (written) => counter.add(written) });
  counter.finish();
  return (Date.now() - started) / 1000;
}

/**
 * One TransactWriteItems per household, as the processor writes an accepted one (a put of the household's size
 * and two small puts: its draft, audit and outcome), `concurrency` at once; seconds taken.
 */
async function bareTransactions(dynamodb: DynamoDBClient, tableName: string, households: number, concurrency: number, progress: Progress): Promise<number> {
  await createKeyedTable(dynamodb, tableName);
  // Made before the clock starts, as the bare BatchWriteItem loop's items are.
  const drafts = Array.from({ length: households }, (_, h) => importRows(9_500_000 + h, 1).join('\n'));
  const counter = progress.counter('bare household transactions', households, 15_000);
  const transaction = (h: number) =>
    new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: tableName, Item: { pk: { S: `DRAFT#${h}` }, sk: { S: 'DRAFT' }, rows: { S: drafts[h]! } } } },
        { Put: { TableName: tableName, Item: { pk: { S: `DRAFT#${h}` }, sk: { S: 'AUDIT' }, action: { S: 'CREATED' } } } },
        { Put: { TableName: tableName, Item: { pk: { S: 'JOB' }, sk: { S: `OUTCOME#${h}` }, proposal: { S: `DRAFT#${h}` } } } },
      ],
    });
  let next = 0;
  const worker = async () => {
    while (next < households) {
      const h = next++;
      // A transaction DynamoDB cancels is tried again, as the processor's are.
      for (let attempt = 1; ; attempt++) {
        try {
          await dynamodb.send(transaction(h));
          break;
        } catch (error) {
          if (!(error instanceof TransactionCanceledException) || attempt === 10) throw error;
          await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
        }
      }
      counter.add(1);
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  counter.finish();
  return (Date.now() - started) / 1000;
}
