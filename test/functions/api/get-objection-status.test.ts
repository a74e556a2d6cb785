import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectionStatusResponse } from '../../../functions/api/schemas.ts';
import { apiHarness, callers, type ApiHarness } from '../../support/api-harness.ts';
import { expectLimitedPerClient } from './support/public-board.ts';
import { caseOf, object, objectionBody, registeredHousehold, submitCase } from './support/registry.ts';

describe('GET /public/objections/{receipt}', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await apiHarness();
  });
  afterAll(() => api?.close());

  const check = (receipt: string, sourceIp?: string) =>
    api.call('getObjectionStatus', { params: { receipt }, ...(sourceIp ? { sourceIp } : {}) });

  it('shows RECEIVED with the date and category while the case is a draft, and nothing personal', async () => {
    const target = await registeredHousehold(api);
    const receipt = await object(api, target.id);

    const response = await check(receipt);

    expect(response.status).toBe(200);
    expect(ObjectionStatusResponse.parse(response.body)).toEqual(response.body);
    expect(response.body).toEqual({ receipt, category: 'DECEASED', group: 'INCLUSION', status: 'RECEIVED', receivedAt: expect.any(String) });
    const body = objectionBody();
    for (const value of [body.reporterName, body.reporterContact, body.statement, target.members[0]!.fullName, target.members[0]!.nik]) {
      expect(response.text).not.toContain(value);
    }
  });

  it('follows the case: IN_PROCESS once submitted, NOT_UPHELD with its date once withdrawn', async () => {
    const target = await registeredHousehold(api);
    const receipt = await object(api, target.id, objectionBody('NOT_FOUND_AT_ADDRESS'));
    const opened = await caseOf(api, target.id);
    const withdrawn = await api.call('withdrawProposal', {
      caller: callers.operator(target.villageCode),
      params: { id: opened.id },
      body: { reason: 'Keluarga ditemukan tinggal di alamat tersebut.' },
    });
    expect(withdrawn.status, withdrawn.text).toBe(200);

    const response = await check(receipt);

    expect(response.body).toMatchObject({ status: 'NOT_UPHELD', group: 'INCLUSION', decidedAt: expect.any(String) });
    expect(response.body.inProcessAt).toBeUndefined();

    // A joined objection of a case under way reads IN_PROCESS.
    const other = await registeredHousehold(api);
    await object(api, other.id);
    await submitCase(api, (await caseOf(api, other.id)).id);
    const joined = await object(api, other.id, objectionBody('WRONG_NAME'));
    expect((await check(joined)).body).toMatchObject({ status: 'IN_PROCESS', category: 'WRONG_NAME', group: 'DATA_ERROR', inProcessAt: expect.any(String) });
  });

  it('answers 404 RECEIPT_NOT_FOUND for a receipt nobody holds, and 404 NOT_FOUND for text that cannot be one', async () => {
    const unknown = await check('SGH-0000ZZZZ');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('RECEIPT_NOT_FOUND');
    for (const receipt of ['SGH-0000ZZZ', 'sgh-0000zzzz', 'SGH-0000ZZZU', 'x']) {
      const malformed = await check(receipt);
      expect(malformed.status, receipt).toBe(404);
      expect(malformed.body.error.code).toBe('NOT_FOUND');
    }
  });

  it('refuses the request after the limit from one client with 429, so receipts cannot be guessed by trying', async () => {
    await expectLimitedPerClient(api, (sourceIp) => check('SGH-0000ZZZZ', sourceIp), [404, 404]);
  });
});
