import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { IMPORT_COLUMNS } from '../../domain/imports/columns.ts';
import { loadRegionData } from '../../domain/region-source.ts';
import { DynamoDbRecordsStore } from '../../functions/adapters/dynamodb-records-store.ts';
import type { RecordsStore } from '../../functions/adapters/records-store.ts';
import { processImportEvent } from '../../functions/application/import-batch.ts';
import { apiHarness, callers, type ApiHarness } from '../support/api-harness.ts';
import { makeImportBatch } from '../support/import-batch.ts';
import {
  batchForVillage,
  expectReport,
  importDeps,
  objectCreatedEvent,
  startAndUpload,
  villageProposals,
} from '../support/imports.ts';
import { buildXlsx } from '../support/xlsx-writer.ts';

/*
 * Bulk import end to end: POST /imports, the file through the presigned POST into the local S3 store, the
 * processor run with the ObjectCreated event S3 would send, and the report read back through GET /imports/{id}.
 * Each test imports for a village of its own, so their proposals never mix in the shared table.
 */

let api: ApiHarness;
const villages = loadRegionData('81').villages.filter((code) => code.startsWith('81.71.'));
let nextVillage = 0;
const freshVillage = () => villages[nextVillage++]!;

beforeAll(async () => {
  api = await apiHarness();
});
afterAll(async () => {
  await api?.close();
});

const report = async (caller: ReturnType<typeof callers.operator>, importId: string, lang?: 'en') => {
  const response = await api.call('getImport', {
    caller,
    params: { id: importId },
    ...(lang && { headers: { 'accept-language': lang } }),
  });
  expect(response.status).toBe(200);
  return response.body;
};

describe('processing an uploaded import', () => {
  it(
    'imports a 5,000-row CSV: every good household a DRAFT, every bad row refused with its row, column and reason, and a second delivery of the event changes nothing',
    async () => {
      const village = freshVillage();
      const operator = callers.operator(village);
      const { csv, expected, table } = batchForVillage(makeImportBatch(), village);
      expect(expected.rowCount).toBeGreaterThanOrEqual(5000);
      const bytes = new TextEncoder().encode(csv);

      const { importId, event } = await startAndUpload(api, operator, 'csv', bytes);
      const started = Date.now();
      const results = await processImportEvent(event, importDeps(api));
      const elapsed = Date.now() - started;
      expect(results).toEqual([{ outcome: 'finished', importId, status: 'DONE' }]);
      console.log(
        `imported ${expected.rowCount} rows (${expected.accepted.length} households accepted, ${expected.rejected.length} rejected) in ${elapsed} ms`,
      );

      const view = await report(operator, importId);
      expectReport(view, expected);

      // Every accepted household is a DRAFT of this village, created for the operator, with its own members.
      const proposals = await villageProposals(api.deps.store, village);
      expect(proposals).toHaveLength(expected.accepted.length);
      const byId = new Map(proposals.map((proposal) => [proposal.id, proposal]));
      for (const household of view.accepted as { householdRef: string; rows: number[]; proposalId: string }[]) {
        const proposal = byId.get(household.proposalId);
        expect(proposal, household.householdRef).toBeDefined();
        expect(proposal).toMatchObject({ status: 'DRAFT', stage: 'DRAFT', version: 1, villageCode: village, submittedBy: operator.sub });
        expect(proposal!.members.map((member) => member.nik)).toEqual(household.rows.map((row) => table[row - 1]![IMPORT_COLUMNS.indexOf('nik')]));
      }

      // Reasons in the request's language.
      const outside = (view.rejected as any[]).find((household) => household.issues.some((i: any) => i.code === 'VILLAGE_OUTSIDE_REGION'));
      expect(outside.issues.find((i: any) => i.code === 'VILLAGE_OUTSIDE_REGION').message).toContain('di luar wilayah tugas Anda');
      const english = await report(operator, importId, 'en');
      const outsideEn = (english.rejected as any[]).find((household) => household.householdRef === outside.householdRef);
      expect(outsideEn.issues.find((i: any) => i.code === 'VILLAGE_OUTSIDE_REGION').message).toContain('outside the region you serve');

      // S3 delivers at least once: the same event again creates nothing and counts nothing.
      expect(await processImportEvent(event, importDeps(api))).toEqual([{ outcome: 'finished', importId, status: 'DONE' }]);
      expect(await report(operator, importId)).toEqual(view);
      expect(await villageProposals(api.deps.store, village)).toHaveLength(expected.accepted.length);
    },
    300_000,
  );

  it('imports an XLSX workbook the same way', async () => {
    const village = freshVillage();
    const operator = callers.operator(village);
    const { table, expected } = batchForVillage(makeImportBatch({ households: 120, badEvery: 5 }), village, { outsideEvery: 10 });
    const bytes = buildXlsx(table.map((cells) => cells.map((cell) => ({ inline: cell }))));

    const { importId, event } = await startAndUpload(api, operator, 'xlsx', bytes);
    await processImportEvent(event, importDeps(api));

    expectReport(await report(operator, importId), expected);
    expect(await villageProposals(api.deps.store, village)).toHaveLength(expected.accepted.length);
  }, 120_000);

  it('resumes a run that crashed half way: progress is visible meanwhile, and the rerun finishes without a household twice', async () => {
    const village = freshVillage();
    const operator = callers.operator(village);
    const { csv, expected } = batchForVillage(makeImportBatch({ households: 150, badEvery: 6 }), village, { outsideEvery: 12 });
    const { importId, event } = await startAndUpload(api, operator, 'csv', new TextEncoder().encode(csv));

    // The run crashes right after its 40th household write (a draft with its outcome, or a rejection) reached the
    // table, while other households are in flight.
    let writes = 0;
    const householdWrites: (keyof RecordsStore)[] = ['createProposal', 'recordImportOutcome'];
    const crashing = new Proxy(api.deps.store, {
      get(target, name: keyof RecordsStore) {
        const method = (target[name] as Function).bind(target);
        if (!householdWrites.includes(name)) return method;
        return async (...args: unknown[]) => {
          const result = await method(...args);
          if (++writes === 40) throw new Error('injected crash');
          return result;
        };
      },
    });
    await expect(processImportEvent(event, importDeps(api, { store: crashing }))).rejects.toThrow('injected crash');

    const midway = await report(operator, importId);
    expect(midway.status).toBe('RUNNING');
    expect(midway.totalRows).toBe(expected.rowCount);
    expect(midway.processedRows).toBeGreaterThan(0);
    expect(midway.processedRows).toBeLessThan(expected.rowCount);
    expect(midway.processedRows).toBe(midway.acceptedRows + midway.rejectedRows);
    expect(midway.accepted.length + midway.rejected.length).toBeLessThan(expected.accepted.length + expected.rejected.length);

    // Lambda's retry: the same event, the real store.
    expect(await processImportEvent(event, importDeps(api))).toEqual([{ outcome: 'finished', importId, status: 'DONE' }]);
    const view = await report(operator, importId);
    expectReport(view, expected);
    const proposals = await villageProposals(api.deps.store, village);
    expect(proposals).toHaveLength(expected.accepted.length);
    expect(new Set(view.accepted.map((household: { proposalId: string }) => household.proposalId))).toEqual(
      new Set(proposals.map((proposal) => proposal.id)),
    );
  }, 120_000);

  it("keeps the job item out of every household's write, where parallel transactions would conflict on AWS", async () => {
    const village = freshVillage();
    const operator = callers.operator(village);
    const { csv, expected } = batchForVillage(makeImportBatch({ households: 120, badEvery: 5 }), village);
    const { importId, event } = await startAndUpload(api, operator, 'csv', new TextEncoder().encode(csv));

    // The keys each transaction or put names (updates of the job itself are neither).
    const keysWritten: { pk: unknown; sk: unknown }[][] = [];
    const key = ({ pk, sk }: Record<string, unknown>) => ({ pk, sk });
    const documents = new Proxy(api.clients.documents, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (name !== 'send') return typeof value === 'function' ? value.bind(target) : value;
        return (command: { input: Record<string, any> }) => {
          const { TransactItems, Item } = command.input;
          if (TransactItems) keysWritten.push(TransactItems.map((item: any) => key(item.Put?.Item ?? item.Update?.Key ?? item.ConditionCheck?.Key)));
          else if (Item) keysWritten.push([key(Item)]);
          return target.send(command as never);
        };
      },
    });
    const store = new DynamoDbRecordsStore(documents, api.tableName, api.deps.now);
    expect(await processImportEvent(event, importDeps(api, { store }))).toEqual([{ outcome: 'finished', importId, status: 'DONE' }]);

    // Every household was one write (a transaction for a draft, a put for a rejection), none with the job item.
    expect(keysWritten).toHaveLength(expected.accepted.length + expected.rejected.length);
    expect(keysWritten.flat()).not.toContainEqual({ pk: `IMPORT#${importId}`, sk: 'IMPORT' });
    expectReport(await report(operator, importId), expected);
  }, 120_000);

  it('runs two deliveries of the same event at once without importing a household twice', async () => {
    const village = freshVillage();
    const operator = callers.operator(village);
    const { csv, expected } = batchForVillage(makeImportBatch({ households: 150, badEvery: 6 }), village, { outsideEvery: 12 });
    const { importId, event } = await startAndUpload(api, operator, 'csv', new TextEncoder().encode(csv));

    const results = await Promise.all([processImportEvent(event, importDeps(api)), processImportEvent(event, importDeps(api))]);
    expect(results.flat().map((result) => result.outcome === 'finished' && result.status)).toEqual(['DONE', 'DONE']);
    expectReport(await report(operator, importId), expected);
    expect(await villageProposals(api.deps.store, village)).toHaveLength(expected.accepted.length);
  }, 120_000);

  it.each([
    ['an unterminated quote', 'csv', new TextEncoder().encode('household_ref,village_code\r\n"KEL-1,81.71.01.1006\r\n'), 'IMPORT_UNTERMINATED_QUOTE'],
    ['a header missing template columns', 'csv', new TextEncoder().encode('household_ref,village_code\r\nKEL-1,81.71.01.1006\r\n'), 'IMPORT_COLUMN_MISSING'],
    ['an old .xls workbook', 'csv', Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]), 'IMPORT_FORMAT_NOT_SUPPORTED'],
    ['a ZIP that is no workbook', 'xlsx', Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8]), 'IMPORT_XLSX_INVALID'],
  ] as const)('marks the import FAILED with a code for a file that cannot be read at all: %s', async (_, format, bytes, code) => {
    const village = freshVillage();
    const operator = callers.operator(village);
    const { importId, event } = await startAndUpload(api, operator, format, bytes);
    expect(await processImportEvent(event, importDeps(api))).toEqual([{ outcome: 'finished', importId, status: 'FAILED' }]);

    const view = await report(operator, importId);
    expect(view).toMatchObject({ status: 'FAILED', processedRows: 0, acceptedRows: 0, rejectedRows: 0, accepted: [], rejected: [] });
    expect(view.error.code).toBe(code);
    expect(view.error.message).not.toMatch(/undefined/);
    const english = await report(operator, importId, 'en');
    expect(english.error.message).not.toBe(view.error.message);
    expect(await villageProposals(api.deps.store, village)).toHaveLength(0);
  });

  it('leaves alone objects that are not an import file, imports that do not exist and other buckets', async () => {
    const other = objectCreatedEvent(`${api.bucket}-other`, 'imports/01JAAAAAAAAAAAAAAAAAAAAAAA/batch.csv', new Uint8Array(1));
    const deps = importDeps(api);
    expect(await processImportEvent(other, deps)).toEqual([{ outcome: 'ignored', reason: 'other-bucket' }]);
    const stray = objectCreatedEvent(api.bucket, 'imports/notes for the office.txt', new Uint8Array(1));
    expect(await processImportEvent(stray, deps)).toEqual([{ outcome: 'ignored', reason: 'not-an-import-key' }]);
    // Written straight to the bucket (no POST /imports): no job, nothing happens.
    const key = 'imports/01JAAAAAAAAAAAAAAAAAAAAAAA/batch.csv';
    await api.clients.s3.send(new PutObjectCommand({ Bucket: api.bucket, Key: key, Body: 'x', ContentType: 'text/csv' }));
    expect(await processImportEvent(objectCreatedEvent(api.bucket, key, new Uint8Array(1)), deps)).toEqual([
      { outcome: 'ignored', reason: 'no-such-import' },
    ]);
  });
});
