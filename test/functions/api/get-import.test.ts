import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportViewSchema } from '../../../functions/api/schemas.ts';
import { processImportEvent } from '../../../functions/application/import-batch.ts';
import { apiHarness, callers, type ApiHarness } from '../../support/api-harness.ts';
import { makeImportBatch } from '../../support/import-batch.ts';
import { batchForVillage, expectReport, importDeps, startAndUpload } from '../../support/imports.ts';

let api: ApiHarness;
const village = '81.71.01.1006';
const operator = callers.operator(village);
let importId: string;
let expected: ReturnType<typeof batchForVillage>['expected'];

beforeAll(async () => {
  api = await apiHarness();
  const batch = batchForVillage(makeImportBatch({ households: 40, badEvery: 4 }), village, { outsideEvery: 5 });
  expected = batch.expected;
  const upload = await startAndUpload(api, operator, 'csv', new TextEncoder().encode(batch.csv));
  importId = upload.importId;
  await processImportEvent(upload.event, importDeps(api));
}, 180_000);
afterAll(async () => {
  await api?.close();
});

describe('GET /imports/{id}', () => {
  it("gives the import's operator the report in the documented shape: drafts with their proposal ids, rejected rows with reasons", async () => {
    const response = await api.call('getImport', { caller: operator, params: { id: importId } });
    expect(response.status).toBe(200);
    const view = ImportViewSchema.parse(response.body);
    expect(view).toMatchObject({ importId, format: 'csv', status: 'DONE' });
    expect(Date.parse(view.createdAt)).not.toBeNaN();
    expectReport(response.body, expected);
    for (const { proposalId } of view.accepted) {
      expect(await api.deps.store.getProposal(proposalId)).toMatchObject({ status: 'DRAFT', villageCode: village });
    }
  });

  it("words the reasons in the request's language and never quotes a cell", async () => {
    const id = (await api.call('getImport', { caller: operator, params: { id: importId } })).body;
    const en = (await api.call('getImport', { caller: operator, params: { id: importId }, headers: { 'accept-language': 'en' } })).body;
    const message = (view: any, code: string) =>
      view.rejected.flatMap((household: any) => household.issues).find((issue: any) => issue.code === code)?.message;
    expect(message(id, 'NIK_FORMAT')).toBe('NIK anggota ke-2 harus 16 digit angka.');
    expect(message(en, 'NIK_FORMAT')).toBe('NIK of member 2 must be 16 digits.');
    expect(message(en, 'VILLAGE_OUTSIDE_REGION')).toBe(
      `The village code is outside the region you serve; this import is for village ${village} only.`,
    );
    expect(JSON.stringify(id)).not.toMatch(/\d{15,16}/);
  });

  it("refuses another village's operator (403) and anyone who is not an operator", async () => {
    const other = await api.call('getImport', { caller: callers.operator('81.71.01.1001'), params: { id: importId } });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('FORBIDDEN_REGION');
    expect(JSON.stringify(other.body)).not.toContain('KEL-');
    for (const caller of [callers.approver('village', village), callers.admin('81')]) {
      const response = await api.call('getImport', { caller, params: { id: importId } });
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('FORBIDDEN_ROLE');
    }
    expect((await api.call('getImport', { params: { id: importId } })).status).toBe(401);
  });

  it('answers 404 for an import that does not exist or an id that is not one', async () => {
    const missing = await api.call('getImport', { caller: operator, params: { id: '01JAAAAAAAAAAAAAAAAAAAAAAA' } });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('IMPORT_NOT_FOUND');
    expect((await api.call('getImport', { caller: operator, params: { id: 'template.csv' } })).status).toBe(404);
  });
});
