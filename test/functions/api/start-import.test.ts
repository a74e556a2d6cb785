import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, callers, postToSlot, type ApiHarness } from '../../support/api-harness.ts';
import { XLSX_TYPE } from '../../support/imports.ts';

/*
 * POST /imports: the job, and the one presigned POST its file may arrive through. The uploads go to the local
 * S3 store, which checks the signature and every condition of the POST policy as S3 does.
 */

let api: ApiHarness;
beforeAll(async () => {
  api = await apiHarness();
});
afterAll(async () => {
  await api?.close();
});

const village = '81.71.01.1006';
const operator = callers.operator(village);
const csv = new TextEncoder().encode('household_ref,village_code\r\nKEL-1,81.71.01.1006\r\n');

async function start(format: 'csv' | 'xlsx' = 'csv') {
  const response = await api.call('startImport', { caller: operator, body: { format } });
  expect(response.status).toBe(201);
  return response.body as {
    importId: string;
    upload: { kind: string; url: string; fields: Record<string, string>; expiresAt: string; maxBytes: number; contentTypes: string[] };
  };
}

describe('POST /imports', () => {
  it("creates a job for the operator's village, waiting for its file, and a 15-minute slot for exactly imports/<id>/batch.csv", async () => {
    const before = Date.now();
    const { importId, upload } = await start('csv');
    expect(importId).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(upload).toMatchObject({
      kind: 'import',
      maxBytes: 10 * 1024 * 1024,
      contentTypes: ['text/csv'],
      fields: { key: `imports/${importId}/batch.csv`, 'Content-Type': 'text/csv' },
    });
    const expiresIn = Date.parse(upload.expiresAt) - before;
    expect(expiresIn).toBeGreaterThan(14 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(15 * 60_000 + 5_000);

    const job = await api.deps.store.getImport(importId);
    expect(job).toMatchObject({
      importId,
      villageCode: village,
      createdBy: operator.sub,
      format: 'csv',
      key: `imports/${importId}/batch.csv`,
      status: 'WAITING_FOR_UPLOAD',
      processedRows: 0,
      acceptedRows: 0,
      rejectedRows: 0,
    });
    const view = await api.call('getImport', { caller: operator, params: { id: importId } });
    expect(view.body).toMatchObject({ importId, status: 'WAITING_FOR_UPLOAD', format: 'csv', processedRows: 0, accepted: [], rejected: [] });
  });

  it('pins an XLSX import to the spreadsheet MIME type and batch.xlsx', async () => {
    const { importId, upload } = await start('xlsx');
    expect(upload.fields).toMatchObject({ key: `imports/${importId}/batch.xlsx`, 'Content-Type': XLSX_TYPE });
    expect(upload.contentTypes).toEqual([XLSX_TYPE]);
  });

  it('lets the file in through the slot as it was given', async () => {
    const { importId, upload } = await start('csv');
    const response = await postToSlot(upload, csv);
    expect(response.status).toBeLessThan(300);
    const stored = await api.clients.s3.send(new GetObjectCommand({ Bucket: api.bucket, Key: `imports/${importId}/batch.csv` }));
    expect(stored.ContentType).toBe('text/csv');
    expect(await stored.Body!.transformToByteArray()).toEqual(csv);
  });

  it('is refused by S3 when the upload claims another Content-Type, and nothing is stored', async () => {
    const { importId, upload } = await start('csv');
    const response = await postToSlot(upload, csv, { fields: { 'Content-Type': 'text/plain' } });
    expect(response.status).toBe(403);
    await expect(
      api.clients.s3.send(new HeadObjectCommand({ Bucket: api.bucket, Key: `imports/${importId}/batch.csv` })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });

    // An XLSX slot takes no CSV either.
    const xlsx = await start('xlsx');
    expect((await postToSlot(xlsx.upload, csv, { fields: { 'Content-Type': 'text/csv' } })).status).toBe(403);
  });

  it('is refused by S3 when the upload names another key or is larger than 10 MB', async () => {
    const { importId, upload } = await start('csv');
    const elsewhere = await postToSlot(upload, csv, { fields: { key: `imports/${importId}/other.csv` } });
    expect(elsewhere.status).toBe(403);
    const tooLarge = await postToSlot(upload, new Uint8Array(10 * 1024 * 1024 + 1).fill(0x41));
    expect(tooLarge.status).toBe(400);
    expect(await tooLarge.text()).toContain('EntityTooLarge');
  });

  it('is for village operators only, and takes only csv or xlsx', async () => {
    for (const caller of [callers.approver('village', village), callers.admin('81')]) {
      const response = await api.call('startImport', { caller, body: { format: 'csv' } });
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('FORBIDDEN_ROLE');
    }
    expect((await api.call('startImport', { body: { format: 'csv' } })).status).toBe(401);
    const xls = await api.call('startImport', { caller: operator, body: { format: 'xls' } });
    expect(xls.status).toBe(400);
    expect(xls.body.error.code).toBe('VALIDATION_FAILED');
    const extra = await api.call('startImport', { caller: operator, body: { format: 'csv', villageCode: '81.71.01.1001' } });
    expect(extra.status).toBe(400);
  });
});
