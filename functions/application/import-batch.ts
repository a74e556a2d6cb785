import type { S3Event } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImportFileError, type ImportIssue, type SheetRow } from '../../domain/imports/issues.ts';
import { readImportFile } from '../../domain/imports/read.ts';
import { householdsFromSheet, type AcceptedHousehold, type RejectedHousehold } from '../../domain/imports/rows.ts';
import { issue } from '../../domain/messages.ts';
import { REGION_CODE_PATTERNS, type RegionDirectory } from '../../domain/regions.ts';
import { ImportFileTooLarge, IMPORT_MAX_BYTES, parseImportObjectKey, type ImportFiles } from '../adapters/import-files.ts';
import { ConflictError, ImportOutcomeRecorded, importCounts, type ImportJob, type ImportOutcome, type RecordsStore } from '../adapters/records-store.ts';
import { isTransient } from '../shared/stage-errors.ts';
import { log } from '../shared/log.ts';
import { draftProposal, proposalContext, saveDraft } from './draft-proposal.ts';

/*
 * A bulk import, run when its file lands in S3. Every household of the file ends in exactly one recorded
 * outcome: a DRAFT proposal, or a rejection naming row, column and reason. S3 may deliver an event twice and
 * Lambda may run a crashed import again, so every step can repeat: a household's outcome is recorded (and
 * counted) once, an accepted household's in the same write that creates its proposal.
 */

export type ImportDeps = {
  store: RecordsStore;
  /** The bucket `files` reads: events from any other are not this stack's imports. */
  bucket: string;
  files: ImportFiles;
  regions: () => RegionDirectory;
  provinceCode: string;
  now: () => Date;
  /** Households written at the same time. */
  concurrency?: number;
};

/** Households written at once: enough to keep DynamoDB busy. */
export const IMPORT_CONCURRENCY = 8;
/** Households a run records between two additions to the job's counters. */
const PROGRESS_EVERY = 25;
const HOUSEHOLD_ATTEMPTS = 5;

/** Why a file could not be imported at all: the file-level codes of domain/imports, or one of these. */
export const IMPORT_FAILURE_CODES = {
  /** The event names a file that is no longer there. */
  missing: 'IMPORT_FILE_MISSING',
  tooLarge: 'IMPORT_FILE_TOO_LARGE',
  /** The reader failed in a way it does not name (a bug or an exotic file): still the file's fault, not the run's. */
  unreadable: 'IMPORT_FILE_UNREADABLE',
} as const;

/** The rejection of rows whose village is not the import's (an operator imports for their own village only). */
export const VILLAGE_OUTSIDE_REGION = 'VILLAGE_OUTSIDE_REGION';

export type ImportRunResult =
  | { outcome: 'ignored'; reason: 'other-bucket' | 'not-an-import-key' | 'no-such-import' }
  | { outcome: 'finished'; importId: string; status: ImportJob['status'] };

/** S3 puts keys into notifications form-URL-encoded: '+' for a space, %XX for the rest. */
export const eventKey = (encoded: string) => decodeURIComponent(encoded.replace(/\+/g, ' '));

/** Runs the imports whose files an S3 ObjectCreated event announces, one record after the other. */
export async function processImportEvent(event: S3Event, deps: ImportDeps): Promise<ImportRunResult[]> {
  const results: ImportRunResult[] = [];
  for (const record of event.Records ?? []) {
    if (record.s3.bucket.name !== deps.bucket) {
      log('warn', 'import event from another bucket; ignored');
      results.push({ outcome: 'ignored', reason: 'other-bucket' });
      continue;
    }
    results.push(await processImportObject(eventKey(record.s3.object.key), deps));
  }
  return results;
}

/** Processes the file an ObjectCreated event names (the key already URL-decoded). Safe to call any number of times. */
export async function processImportObject(key: string, deps: ImportDeps): Promise<ImportRunResult> {
  const ref = parseImportObjectKey(key);
  if (!ref) {
    log('warn', 'object is not an import file; ignored');
    return { outcome: 'ignored', reason: 'not-an-import-key' };
  }
  const job = await deps.store.getImport(ref.importId);
  if (!job || job.key !== key) {
    log('warn', 'no import for this file; ignored', { importId: ref.importId });
    return { outcome: 'ignored', reason: 'no-such-import' };
  }
  return { outcome: 'finished', importId: job.importId, status: await runImport(job, deps) };
}

async function runImport(job: ImportJob, deps: ImportDeps): Promise<ImportJob['status']> {
  const { importId } = job;
  // A delivery of the event after the import finished changes nothing.
  if (job.status === 'DONE' || job.status === 'FAILED') return job.status;

  const read = await readHouseholds(job, deps);
  if ('failure' in read) {
    log('warn', 'import file cannot be read', { importId, code: read.failure });
    return (await deps.store.finishImport(importId, 'FAILED', { code: read.failure })).status;
  }
  const households = read.households;
  const totalRows = households.reduce((sum, household) => sum + household.rows.length, 0);
  try {
    await deps.store.startImport(importId, totalRows);
  } catch (error) {
    // Another run finished it between our read of the job and now.
    if (error instanceof ConflictError && error.code === 'IMPORT_FINISHED') return (await deps.store.getImport(importId))?.status ?? 'FAILED';
    throw error;
  }

  // A run after a crash (or alongside a duplicate event) skips what is already recorded.
  const recorded = new Set((await deps.store.importOutcomes(importId)).map((outcome) => outcome.householdRef));
  const pending = households.filter((household) => !recorded.has(household.householdRef));
  const started = Date.now();
  const progress = importProgress(importId, deps.store);
  try {
    await eachWithLimit(pending, deps.concurrency ?? IMPORT_CONCURRENCY, async (household) => {
      const outcome = await withRetries(() => recordHousehold(job, household, deps));
      if (outcome) await progress.add(outcome);
    });
    await progress.flush();
  } catch (error) {
    // Another run of the same import finished it meanwhile: its outcomes stand.
    if (error instanceof ConflictError && error.code === 'IMPORT_NOT_RUNNING') {
      return (await deps.store.getImport(importId))?.status ?? 'FAILED';
    }
    throw error;
  }
  const finished = await deps.store.finishImport(importId, 'DONE');
  log('info', 'import finished', {
    importId,
    totalRows,
    acceptedRows: finished.acceptedRows,
    rejectedRows: finished.rejectedRows,
    households: pending.length,
    ms: Date.now() - started,
  });
  return finished.status;
}

type OutcomeIssue = NonNullable<ImportOutcome['issues']>[number];
type Household =
  | { householdRef: string; rows: number[]; input: AcceptedHousehold['input']; issues?: undefined }
  | { householdRef: string; rows: number[]; issues: OutcomeIssue[] };

/** As the report keeps it: every issue has a row (the household's first when the domain names none) and a column. */
function rejection(household: RejectedHousehold, extra: OutcomeIssue[]): Household {
  const fallbackRow = household.rows[0] ?? 0;
  const issues = household.issues.map((issue: ImportIssue) => ({
    row: issue.row ?? fallbackRow,
    // An issue about the whole row (too many cells) has no single column.
    column: issue.column ?? '',
    code: issue.code as string,
    message: issue.message,
  }));
  return { householdRef: household.householdRef, rows: household.rows, issues: [...issues, ...extra] };
}

/** The file's households in file order, each accepted or rejected, or why the file cannot be read at all. */
async function readHouseholds(job: ImportJob, deps: ImportDeps): Promise<{ households: Household[] } | { failure: string }> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await deps.files.read(job.key, IMPORT_MAX_BYTES);
  } catch (error) {
    if (error instanceof ImportFileTooLarge) return { failure: IMPORT_FAILURE_CODES.tooLarge };
    throw error;
  }
  if (bytes === undefined) return { failure: IMPORT_FAILURE_CODES.missing };

  let sheet: SheetRow[];
  try {
    sheet = readImportFile(bytes);
  } catch (error) {
    if (error instanceof ImportFileError) return { failure: error.issues[0]?.code ?? IMPORT_FAILURE_CODES.unreadable };
    log('error', 'import reader failed', { importId: job.importId, error: (error as Error)?.name });
    return { failure: IMPORT_FAILURE_CODES.unreadable };
  }
  const read = householdsFromSheet(sheet, { context: proposalContext(deps) });
  if (!read.ok) return { failure: read.issues[0]?.code ?? IMPORT_FAILURE_CODES.unreadable };

  const outside = outsideVillage(sheet, job.villageCode, deps.regions());
  const households: Household[] = [];
  for (const household of read.accepted) {
    const issues = household.rows.flatMap(outside);
    households.push(issues.length === 0 ? household : rejection({ ...household, issues: [] }, issues));
  }
  for (const household of read.rejected) households.push(rejection(household, household.rows.flatMap(outside)));
  return { households: withDistinctRefs(households.sort((a, b) => firstRow(a) - firstRow(b))) };
}

const firstRow = (household: { rows: number[] }) => Math.min(...household.rows);

/**
 * For a row: the issue when its village_code names another village of the province than the import's. A code
 * that is malformed, unknown or of another province is left to the domain's own issue about it. The column is
 * found as the domain finds it (case, spaces and hyphens aside).
 */
function outsideVillage(sheet: readonly SheetRow[], villageCode: string, regions: RegionDirectory): (row: number) => OutcomeIssue[] {
  const [header, ...rows] = sheet;
  const column = header?.cells.findIndex((cell) => cell.trim().toLowerCase().replace(/[\s-]+/g, '_') === 'village_code') ?? -1;
  const cells = new Map(rows.map((row) => [row.row, row.cells]));
  const { message } = issue('village_code', VILLAGE_OUTSIDE_REGION, { village: villageCode });
  return (row) => {
    const text = (cells.get(row)?.[column] ?? '').trim().replace(/^(\d{2})(\d{2})(\d{2})(\d{4})$/, '$1.$2.$3.$4');
    if (text === '' || text === villageCode || !REGION_CODE_PATTERNS.village.test(text) || !regions.isVillage(text)) return [];
    return [{ row, column: 'village_code', code: VILLAGE_OUTSIDE_REGION, message }];
  };
}

/**
 * Outcomes are kept per household reference, so each needs its own: rows without one (each its own rejected
 * household) get `#<row>`, made longer in the unlikely case the file uses that as a reference itself.
 */
function withDistinctRefs(households: Household[]): Household[] {
  const taken = new Set(households.map((household) => household.householdRef));
  return households.map((household) => {
    if (household.householdRef !== '') return household;
    let ref = `#${firstRow(household)}`;
    while (taken.has(ref)) ref = `#${ref}`;
    taken.add(ref);
    return { ...household, householdRef: ref };
  });
}

/**
 * Records the household's outcome, once per import whatever runs: its rejection, or its DRAFT created in the
 * same transaction as the outcome naming it. The outcome's key (the import and the household's first row) is
 * what makes a repeat write nothing, so a crash never leaves a draft without its outcome, nor a second draft.
 * Returns the outcome if this run recorded it.
 */
async function recordHousehold(job: ImportJob, household: Household, deps: ImportDeps): Promise<ImportOutcome | undefined> {
  const { importId } = job;
  const { householdRef, rows } = household;
  if (household.issues !== undefined) {
    const outcome = { householdRef, rows, issues: household.issues };
    return (await deps.store.recordImportOutcome(importId, outcome)).recorded ? outcome : undefined;
  }
  const proposal = draftProposal(household.input, job.createdBy, deps.now());
  try {
    await saveDraft(deps.store, proposal, { type: 'user', id: job.createdBy }, { importOutcome: { importId, householdRef, rows } });
    return { householdRef, rows, proposalId: proposal.id };
  } catch (error) {
    // A parallel run of the same import recorded this household first.
    if (error instanceof ImportOutcomeRecorded) return undefined;
    throw error;
  }
}

/**
 * The job's counters, added to every PROGRESS_EVERY households this run records rather than in each household's
 * write: with the one job item in every household's transaction, parallel transactions would conflict on it
 * (DynamoDB cancels a transaction that touches an item another transaction holds). The counters show progress;
 * finishImport sets them from the outcomes, so rows a crashed run recorded but never added are counted too.
 */
function importProgress(importId: string, store: RecordsStore) {
  let unsaved: ImportOutcome[] = [];
  const flush = async () => {
    if (unsaved.length === 0) return;
    const counts = importCounts(unsaved);
    unsaved = [];
    await store.addImportProgress(importId, counts);
  };
  return {
    async add(outcome: ImportOutcome) {
      unsaved.push(outcome);
      if (unsaved.length >= PROGRESS_EVERY) await flush();
    },
    flush,
  };
}

/** Runs `work` on every item, at most `limit` at a time; the first failure stops new work and is thrown. */
async function eachWithLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const rejected = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (rejected) throw rejected.reason;
}

/**
 * A household's write again after a throttle or a transaction that kept colliding with another (a parallel run
 * of the same import); the write is idempotent, so repeating it is safe.
 */
async function withRetries<T>(step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      const retryable = isTransient(error) || (error as Error)?.name === 'TransactionCanceledException';
      if (!retryable || attempt === HOUSEHOLD_ATTEMPTS) throw error;
      await sleep(Math.round((50 + Math.random() * 100) * 2 ** attempt));
    }
  }
}
