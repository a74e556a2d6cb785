import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, callers, type ApiHarness } from '../../support/api-harness.ts';
import { caseOf, object, registeredHousehold, submitCase } from './support/registry.ts';

const REASON = 'Sanggahan tidak terbukti: keluarga masih tinggal di sini.';

describe('POST /proposals/{id}/withdraw', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await apiHarness();
  });
  afterAll(() => api?.close());

  const withdraw = (id: string, body: unknown = { reason: REASON }, caller = callers.operator()) =>
    api.call('withdrawProposal', { caller, params: { id }, body });

  it("closes a draft case as REJECTED with the village's reason, audited, and frees the household for a new case", async () => {
    const target = await registeredHousehold(api);
    await object(api, target.id, { category: 'MOVED', statement: 'Keluarga ini sudah pindah ke Ambon.', reporterName: 'Warga', reporterContact: '081200001111' });
    const opened = await caseOf(api, target.id);

    const response = await withdraw(opened.id, { reason: REASON }, callers.approver('village', target.villageCode));

    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({ proposalId: opened.id, version: 1, status: 'REJECTED' });
    const stored = await api.deps.store.getProposal(opened.id);
    expect(stored).toMatchObject({ status: 'REJECTED', stage: 'FINALIZED', reasons: [expect.objectContaining({ code: 'WITHDRAWN_BY_VILLAGE' })] });
    expect(stored!.reasons[0]!.message.id).toContain(REASON);
    expect((await api.deps.store.auditTrail(opened.id)).at(-1)).toMatchObject({
      action: 'WITHDRAWN',
      actor: { type: 'user', id: callers.approver('village', target.villageCode).sub },
      from: { status: 'DRAFT' },
      to: { status: 'REJECTED', stage: 'FINALIZED' },
    });
    expect((await api.deps.store.getProposal(target.id))?.openCase).toBeUndefined();

    await object(api, target.id);
    expect((await caseOf(api, target.id)).id).not.toBe(opened.id);
  });

  it('refuses a case already submitted (409 NOT_A_DRAFT) and an ADD (409 NOT_A_CASE), changing nothing', async () => {
    const target = await registeredHousehold(api);
    await object(api, target.id);
    const opened = await caseOf(api, target.id);
    await submitCase(api, opened.id);
    const submitted = await withdraw(opened.id);
    expect(submitted.status).toBe(409);
    expect(submitted.body.error.code).toBe('NOT_A_DRAFT');
    expect((await api.deps.store.getProposal(opened.id))?.status).toBe('SUBMITTED');

    const add = await api.draft(undefined, false);
    const refused = await withdraw(add.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('NOT_A_CASE');
    expect((await api.deps.store.getProposal(add.id))?.status).toBe('DRAFT');
  });

  it('refuses a missing or too short reason with 400 on the field, and an unknown case with 404', async () => {
    const target = await registeredHousehold(api);
    await object(api, target.id);
    const opened = await caseOf(api, target.id);
    for (const body of [{}, { reason: 'tidak' }, { reason: REASON, extra: 1 }]) {
      const response = await withdraw(opened.id, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toEqual([Object.keys(body).at(-1) ?? 'reason']);
    }
    expect((await api.deps.store.getProposal(opened.id))?.status).toBe('DRAFT');
    const unknown = await withdraw('01JZZZZZZZZZZZZZZZZZZZZZZZ');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('PROPOSAL_NOT_FOUND');
  });

  it('is not for the tiers above the village, nor for another village (403)', async () => {
    const target = await registeredHousehold(api);
    await object(api, target.id);
    const opened = await caseOf(api, target.id);
    for (const caller of [callers.approver('district', '81.71.01'), callers.operator('81.71.01.1007'), callers.approver('village', '81.71.01.1007')]) {
      expect((await withdraw(opened.id, { reason: REASON }, caller)).status, caller.sub).toBe(403);
    }
    expect((await api.deps.store.getProposal(opened.id))?.status).toBe('DRAFT');
  });
});
