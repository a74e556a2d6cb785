import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, callers, type ApiHarness } from '../../support/api-harness.ts';
import { expectLimitedPerClient, expectNoSuchProposal } from './support/public-board.ts';
import { caseOf, object, objectionBody, registeredHousehold } from './support/registry.ts';

describe('POST /public/registry/{proposalId}/objections', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await apiHarness();
  });
  afterAll(() => api?.close());

  const file = (proposalId: string, body: unknown = objectionBody(), sourceIp?: string) =>
    api.call('objectToRegistered', { params: { proposalId }, body, ...(sourceIp ? { sourceIp } : {}) });

  it('answers 201 with only a receipt, and opens a REMOVE draft at the village copied from the household, reason DECEASED', async () => {
    const target = await registeredHousehold(api);

    const response = await file(target.id);

    expect(response.status, response.text).toBe(201);
    expect(Object.keys(response.body)).toEqual(['receipt']);
    const { receipt } = response.body;
    expect(receipt).toMatch(/^SGH-[0-9A-HJKMNP-TV-Z]{8}$/);
    const opened = await caseOf(api, target.id);
    expect(opened).toMatchObject({
      type: 'REMOVE',
      status: 'DRAFT',
      stage: 'DRAFT',
      version: 1,
      target: { proposalId: target.id },
      removal: { reason: 'DECEASED' },
      origin: { kind: 'OBJECTION', receipt, category: 'DECEASED' },
      villageCode: target.villageCode,
      household: target.household,
      members: target.members,
      programs: target.programs,
      criteria: target.criteria,
    });
    expect(opened.removal!.members).toBeUndefined();
    // The reporter is kept on the objection for the village tier, never on the case operators see.
    const body = objectionBody();
    expect(await api.apiDeps.registryObjections.getObjection(receipt)).toMatchObject({ ...body, receipt, targetId: target.id, caseId: opened.id });
    for (const value of [body.reporterName, body.reporterContact, body.statement]) expect(JSON.stringify(opened)).not.toContain(value);

    const caseTrail = await api.deps.store.auditTrail(opened.id);
    expect(caseTrail).toEqual([
      expect.objectContaining({ action: 'CREATED_FROM_OBJECTION', actor: { type: 'user', id: 'public' }, detail: { receipt, category: 'DECEASED', target: target.id } }),
    ]);
    expect((await api.deps.store.auditTrail(target.id)).map((entry) => entry.action)).toContain('OBJECTION_RECEIVED');
    for (const entry of [...caseTrail, ...(await api.deps.store.auditTrail(target.id))]) {
      expect(JSON.stringify(entry)).not.toContain(body.reporterContact);
      expect(JSON.stringify(entry)).not.toContain(body.reporterName);
    }
  });

  it('opens an UPDATE with the registered record as `previous` for a data error or a missing member', async () => {
    for (const category of ['WRONG_NIK', 'MEMBER_MISSING']) {
      const target = await registeredHousehold(api);
      await object(api, target.id, objectionBody(category));
      const opened = await caseOf(api, target.id);
      const record = { household: target.household, members: target.members, programs: target.programs, criteria: target.criteria };
      expect(opened, category).toMatchObject({ type: 'UPDATE', status: 'DRAFT', correction: { statement: expect.any(String) }, previous: record, ...record });
      expect(opened.removal).toBeUndefined();
    }
  });

  it('keeps one open case per household: a further objection joins it with a receipt of its own', async () => {
    const target = await registeredHousehold(api);
    const first = await object(api, target.id);
    const opened = await caseOf(api, target.id);

    const second = await object(api, target.id, { ...objectionBody('NOT_ELIGIBLE'), reporterName: 'Warga lain' });

    expect(second).not.toBe(first);
    expect((await caseOf(api, target.id)).id).toBe(opened.id);
    expect(await api.apiDeps.registryObjections.getObjection(second)).toMatchObject({ caseId: opened.id, category: 'NOT_ELIGIBLE' });
    expect((await api.deps.store.auditTrail(opened.id)).map((entry) => entry.action)).toEqual(['CREATED_FROM_OBJECTION', 'OBJECTION_ATTACHED']);
    // The village sees one case, marked as coming from an objection.
    const drafts = await api.call('listProposals', { caller: callers.operator(target.villageCode), query: { status: 'DRAFT', limit: '100' } });
    const cases = drafts.body.items.filter((item: { origin?: unknown; proposalId: string }) => item.proposalId === opened.id);
    expect(cases).toEqual([expect.objectContaining({ origin: { kind: 'OBJECTION', receipt: first, category: 'DECEASED' } })]);
  });

  it('opens one case when two neighbours object at the same moment', async () => {
    const target = await registeredHousehold(api);
    const receipts = await Promise.all([object(api, target.id), object(api, target.id, objectionBody('MOVED'))]);
    const opened = await caseOf(api, target.id);
    for (const receipt of receipts) expect((await api.apiDeps.registryObjections.getObjection(receipt))?.caseId).toBe(opened.id);
  });

  it('refuses a household that is not registered with 409 NOT_REGISTERED and opens nothing', async () => {
    const draft = await api.draft(undefined, false);

    const response = await file(draft.id);

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('NOT_REGISTERED');
    expect((await api.deps.store.getProposal(draft.id))?.openCase).toBeUndefined();
  });

  it('answers 404 PROPOSAL_NOT_FOUND for an unknown household, and 404 NOT_FOUND for an id that cannot be one', async () => {
    await expectNoSuchProposal((proposalId) => file(proposalId));
  });

  it('refuses an incomplete objection with 400 and the fields at fault, writing nothing', async () => {
    const target = await registeredHousehold(api);
    // INCLUSION_ERROR is a public-review category, not one against the register.
    const response = await file(target.id, { category: 'INCLUSION_ERROR', statement: 'Pendek', reporterName: 'Warga' });

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.details.map((detail: { path: string }) => detail.path).sort()).toEqual(['category', 'reporterContact', 'statement']);
    expect((await api.deps.store.getProposal(target.id))?.openCase).toBeUndefined();
  });

  it('refuses the request after the limit from one client with 429 and Retry-After, while another client still gets through', async () => {
    const target = await registeredHousehold(api);
    // Counted whatever the answer: a flood of refused objections is still a flood.
    const ids = [target.id, '01JZZZZZZZZZZZZZZZZZZZZZZZ'];
    await expectLimitedPerClient(api, (sourceIp, attempt) => file(ids[attempt]!, objectionBody(), sourceIp), [201, 404]);
  });
});
