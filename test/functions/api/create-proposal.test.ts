import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUSEHOLD_DOCUMENT_KINDS as DOCUMENT_KINDS } from '../../../domain/province-config.ts';
import { CreateProposalResponse } from '../../../functions/api/schemas.ts';
import { UPLOAD_EXPIRY_SECONDS } from '../../../functions/api/upload-slots.ts';
import { callers, type ApiHarness } from '../../support/api-harness.ts';
import { householdProposal } from '../../support/proposals.ts';
import { createDraft, proposalApiHarness, uploadThrough } from './support/proposal-flow.ts';

describe('POST /proposals (createProposal)', () => {
  let harness: ApiHarness;
  beforeAll(async () => {
    harness = await proposalApiHarness();
  });
  afterAll(async () => harness?.close());

  /** Proposals stored for a village; each test that counts uses a village of its own. */
  const storedIn = async (village: string) =>
    (await harness.deps.store.listProposals({ region: village, limit: 100 })).items.map((proposal) => proposal.id);
  const inVillage = (village: string) => householdProposal({ villageCode: village });

  it('creates a draft and one upload slot per required document, each pinned under the proposal', async () => {
    const before = Date.now();
    const response = await harness.call('createProposal', { caller: callers.operator(), body: householdProposal() });

    expect(response.status).toBe(201);
    expect(CreateProposalResponse.parse(response.body)).toMatchObject({ version: 1, status: 'DRAFT' });
    const { proposalId, uploads } = response.body;
    expect(await harness.deps.store.getProposal(proposalId)).toMatchObject({
      status: 'DRAFT',
      stage: 'DRAFT',
      version: 1,
      submittedBy: callers.operator().sub,
    });
    expect((await harness.deps.store.auditTrail(proposalId)).map((entry) => entry.action)).toEqual(['CREATED']);
    expect(uploads.map((slot: { kind: string }) => slot.kind)).toEqual([...DOCUMENT_KINDS]);
    for (const slot of uploads) {
      const rule = harness.config.documents[slot.kind as (typeof DOCUMENT_KINDS)[number]];
      expect(slot.fields.key).toMatch(new RegExp(`^proposals/${proposalId}/${slot.kind}/v1-[0-9A-Z]{26}\\.(jpg|pdf)$`));
      expect(slot.fields['Content-Type']).toBe(rule.contentTypes[0]);
      expect(slot).toMatchObject({ maxBytes: rule.maxBytes, contentTypes: [rule.contentTypes[0]] });
      const expiresIn = Date.parse(slot.expiresAt) - before;
      expect(expiresIn).toBeGreaterThan((UPLOAD_EXPIRY_SECONDS - 60) * 1000);
      expect(expiresIn).toBeLessThanOrEqual((UPLOAD_EXPIRY_SECONDS + 60) * 1000);
    }

    await uploadThrough(uploads);
    const documents = await harness.deps.evidence.listDocuments(proposalId);
    expect(documents.map((document) => document.kind).sort()).toEqual([...DOCUMENT_KINDS].sort());
  });

  it('refuses a proposal that breaks the domain rules with 422 and every problem, and stores nothing', async () => {
    const village = '81.71.01.1007';
    const input = inVillage(village);
    input.members[1]!.sex = 'L';
    input.household.kk = `999999${input.household.kk.slice(6)}`;

    const response = await harness.call('createProposal', { caller: callers.operator(village), body: input, headers: { 'accept-language': 'en' } });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('PROPOSAL_INVALID');
    expect(response.body.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'members.1.nik', code: 'NIK_SEX_MISMATCH' }),
        expect.objectContaining({ path: 'household.kk', code: 'KK_DISTRICT_UNKNOWN' }),
      ]),
    );
    expect(response.text).not.toContain(input.members[1]!.nik);
    expect(await storedIn(village)).toEqual([]);
  });

  it("refuses another village's proposal (403 FORBIDDEN_REGION) and callers who are not operators (403 FORBIDDEN_ROLE)", async () => {
    const village = '81.71.01.1009';
    const body = inVillage(village);

    const foreign = await harness.call('createProposal', { caller: callers.operator('81.71.01.1006'), body });
    const approver = await harness.call('createProposal', { caller: callers.approver('village', village), body });
    const admin = await harness.call('createProposal', { caller: callers.admin('81'), body });

    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('FORBIDDEN_REGION');
    for (const refused of [approver, admin]) {
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('FORBIDDEN_ROLE');
    }
    expect(await storedIn(village)).toEqual([]);
  });

  describe('with an Idempotency-Key', () => {
    it('answers a retry of the same request with the same proposal and stores no second one', async () => {
      const village = '81.71.01.1010';
      const input = inVillage(village);
      const headers = { 'idempotency-key': 'retry-same-body-0001' };

      const first = await createDraft(harness, input, { headers });
      const retry = await createDraft(harness, structuredClone(input), { headers });

      expect(retry.proposalId).toBe(first.proposalId);
      expect(await storedIn(village)).toEqual([first.proposalId]);
      expect((await harness.deps.store.auditTrail(first.proposalId)).filter((entry) => entry.action === 'CREATED')).toHaveLength(1);
      // The retry's slots are as good as the first ones: same prefix, fresh keys.
      expect(retry.uploads).toHaveLength(first.uploads.length);
      for (const slot of retry.uploads) expect(slot.fields.key).toMatch(new RegExp(`^proposals/${first.proposalId}/`));
    });

    it('refuses the same key with another body (409 IDEMPOTENCY_KEY_REUSED) and stores nothing', async () => {
      const village = '81.71.02.1010';
      const headers = { 'idempotency-key': 'reused-key-with-other-body' };
      const first = await createDraft(harness, householdProposal({ villageCode: village, districtCode: '81.71.02' }), { headers });

      const other = householdProposal({ villageCode: village, districtCode: '81.71.02' });
      const response = await harness.call('createProposal', { caller: callers.operator(village), body: other, headers });

      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await storedIn(village)).toEqual([first.proposalId]);
    });

    it('creates exactly one proposal when the same request arrives several times at once', async () => {
      const village = '81.71.02.1011';
      const input = householdProposal({ villageCode: village, districtCode: '81.71.02' });
      const headers = { 'idempotency-key': 'concurrent-0123456789' };

      const responses = await Promise.all(
        Array.from({ length: 5 }, () => harness.call('createProposal', { caller: callers.operator(village), body: input, headers })),
      );

      expect(responses.map((response) => response.status)).toEqual([201, 201, 201, 201, 201]);
      const ids = new Set(responses.map((response) => response.body.proposalId));
      expect(ids.size).toBe(1);
      expect(await storedIn(village)).toEqual([...ids]);
    });

    it("keeps one operator's key apart from another's", async () => {
      const headers = { 'idempotency-key': 'shared-key-between-villages' };
      const a = await createDraft(harness, inVillage('81.71.01.1011'), { headers });
      const b = await createDraft(harness, inVillage('81.71.01.1012'), { headers });

      expect(a.proposalId).not.toBe(b.proposalId);
    });

    it('answers a retry after the draft was submitted with the same proposal but no new upload slots', async () => {
      const village = '81.71.01.1013';
      const input = inVillage(village);
      const headers = { 'idempotency-key': 'retry-after-submit-01' };
      const first = await createDraft(harness, input, { headers });
      const submit = await harness.call('submitProposal', { caller: callers.operator(village), params: { id: first.proposalId } });
      expect(submit.status).toBe(202);

      const retry = await createDraft(harness, input, { headers });

      expect(retry.proposalId).toBe(first.proposalId);
      expect(retry.uploads).toEqual([]);
      expect(await storedIn(village)).toEqual([first.proposalId]);
    });

    it('refuses a malformed key before storing anything (400 IDEMPOTENCY_KEY_INVALID)', async () => {
      const village = '81.71.01.1014';
      const response = await harness.call('createProposal', {
        caller: callers.operator(village),
        body: inVillage(village),
        headers: { 'idempotency-key': 'no spaces/allowed' },
      });

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('IDEMPOTENCY_KEY_INVALID');
      expect(await storedIn(village)).toEqual([]);
    });
  });
});
