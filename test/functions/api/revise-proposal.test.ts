import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProposalInput } from '../../../domain/proposal.ts';
import { CreateProposalResponse } from '../../../functions/api/schemas.ts';
import { callers, postToSlot, type ApiHarness } from '../../support/api-harness.ts';
import { houseLocation, makeJpeg } from '../../support/evidence-fixtures.ts';
import { householdProposal } from '../../support/proposals.ts';
import { createDraft, goodEvidenceFor, proposalApiHarness, returnedProposal, uploadThrough, type Slot } from './support/proposal-flow.ts';

describe('PUT /proposals/{id} (reviseProposal)', () => {
  let harness: ApiHarness;
  beforeAll(async () => {
    harness = await proposalApiHarness();
  });
  afterAll(async () => harness?.close());

  const operator = callers.operator();
  const revise = (id: string, input: ProposalInput, version: number, caller = operator) =>
    harness.call('reviseProposal', { caller, params: { id }, body: { ...input, version } });
  const setup = { type: 'system' as const, id: 'test-setup' };

  /** A draft moved straight to RETURNED, as the workflow leaves it; for the refusals, which need no real run. */
  async function returnedDraft(input = householdProposal()) {
    const { proposalId } = await createDraft(harness, input);
    await harness.deps.store.changeProposal(proposalId, {
      expect: { version: 1, status: ['DRAFT'] },
      status: 'RETURNED',
      stage: 'FINALIZED',
      audit: { actor: setup, action: 'TEST_SETUP' },
    });
    return { proposalId, input };
  }

  it('makes a proposal the village approver returned the draft of version 2, and that version goes through again', async () => {
    const returned = await returnedProposal(harness);
    const corrected = { ...returned.input, household: { ...returned.input.household, address: 'Jl. Pattimura No. 14' } };

    const response = await revise(returned.proposalId, corrected, 1);

    expect(response.status, response.text).toBe(200);
    expect(CreateProposalResponse.parse(response.body)).toMatchObject({ proposalId: returned.proposalId, version: 2, status: 'DRAFT' });
    expect(response.body.uploads.map((slot: Slot) => slot.kind)).toEqual(['house-front', 'house-interior', 'id-scan', 'berita-acara']);
    for (const slot of response.body.uploads) expect(slot.fields.key).toMatch(new RegExp(`^proposals/${returned.proposalId}/${slot.kind}/`));
    const stored = await harness.deps.store.getProposal(returned.proposalId);
    expect(stored).toMatchObject({ version: 2, status: 'DRAFT', stage: 'DRAFT', reasons: [], flags: [], submittedBy: operator.sub });
    expect(stored!.household.address).toBe('Jl. Pattimura No. 14');
    expect(stored).not.toHaveProperty('tier');
    expect((await harness.deps.store.auditTrail(returned.proposalId)).at(-1)).toMatchObject({
      action: 'REVISED',
      version: 2,
      actor: { type: 'user', id: operator.sub },
      from: { status: 'RETURNED' },
      to: { status: 'DRAFT', stage: 'DRAFT' },
    });

    // Submitted without uploading anything again: version 1's documents are still under the prefix and count.
    const submit = await harness.call('submitProposal', { caller: operator, params: { id: returned.proposalId } });
    expect(submit.status).toBe(202);
    expect(submit.body.executionArn).toContain(`${returned.proposalId}-v2`);
    await harness.inReview(returned.proposalId);
    const accepted = (await harness.deps.store.auditTrail(returned.proposalId)).find(
      (entry) => entry.action === 'EVIDENCE_ACCEPTED' && entry.version === 2,
    );
    expect(accepted?.detail).toEqual({ documents: returned.uploaded.size });
  });

  it('refuses to revise the same version twice (409 VERSION_CONFLICT), as a retried or stale form would', async () => {
    const { proposalId, input } = await returnedDraft();
    expect((await revise(proposalId, input, 1)).status).toBe(200);
    // Returned again: only the version the form was loaded from is now wrong.
    await harness.deps.store.changeProposal(proposalId, {
      expect: { version: 2, status: ['DRAFT'] },
      status: 'RETURNED',
      stage: 'FINALIZED',
      audit: { actor: setup, action: 'TEST_SETUP' },
    });

    const stale = await revise(proposalId, input, 1);

    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');
    expect(await harness.deps.store.getProposal(proposalId)).toMatchObject({ version: 2, status: 'RETURNED' });
  });

  it('refuses a proposal the village no longer holds, neither DRAFT nor RETURNED (409 NOT_RETURNED)', async () => {
    const { proposalId, input } = await createDraft(harness);
    await harness.deps.store.changeProposal(proposalId, {
      expect: { version: 1, status: ['DRAFT'] },
      status: 'SUBMITTED',
      stage: 'VALIDATION',
      audit: { actor: setup, action: 'TEST_SETUP' },
    });

    const response = await revise(proposalId, input, 1);

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('NOT_RETURNED');
    expect(await harness.deps.store.getProposal(proposalId)).toMatchObject({ version: 1, status: 'SUBMITTED' });
  });

  it('applies the same rules as a new proposal (422 PROPOSAL_INVALID) and keeps the returned version', async () => {
    const { proposalId, input } = await returnedDraft();
    const broken = structuredClone(input);
    broken.members[0]!.birthDate = '1981-05-17';

    const response = await revise(proposalId, broken, 1);

    expect(response.status).toBe(422);
    expect(response.body.error.details).toContainEqual(expect.objectContaining({ path: 'members.0.nik', code: 'NIK_BIRTH_DATE_MISMATCH' }));
    expect(await harness.deps.store.getProposal(proposalId)).toMatchObject({ version: 1, status: 'RETURNED' });
  });

  it("refuses another village's operator, a move into another village, and an unknown proposal", async () => {
    const { proposalId, input } = await returnedDraft();
    const moved = { ...input, villageCode: '81.71.01.1007' };

    const foreign = await revise(proposalId, input, 1, callers.operator('81.71.01.1007'));
    const move = await revise(proposalId, moved, 1);
    const unknown = await revise('01J00000000000000000000000', input, 1);

    expect([foreign.status, foreign.body.error.code]).toEqual([403, 'FORBIDDEN_REGION']);
    expect([move.status, move.body.error.code]).toEqual([403, 'FORBIDDEN_REGION']);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'PROPOSAL_NOT_FOUND']);
    expect(await harness.deps.store.getProposal(proposalId)).toMatchObject({ version: 1, status: 'RETURNED' });
  });

  it("counts the revision's replacement photo instead of the earlier version's bad one", async () => {
    const stale = new Date(Date.now() - 400 * 86_400_000);
    const draft = await createDraft(harness);
    await uploadThrough(draft.uploads, (slot) =>
      slot.kind === 'house-interior' ? makeJpeg({ seed: 424_242, takenAt: stale, gps: houseLocation }) : goodEvidenceFor(slot),
    );
    const first = await harness.call('submitProposal', { caller: operator, params: { id: draft.proposalId } });
    await harness.finished(first.body.executionArn);
    const returned = await harness.deps.store.getProposal(draft.proposalId);
    expect(returned).toMatchObject({ status: 'RETURNED', version: 1 });
    expect(returned!.reasons.map((reason) => reason.code)).toEqual(['PHOTO_TOO_OLD']);

    const revised = await revise(draft.proposalId, draft.input, 1);
    const interior = revised.body.uploads.find((slot: Slot) => slot.kind === 'house-interior');
    expect((await postToSlot(interior, goodEvidenceFor(interior))).status).toBe(204);
    const second = await harness.call('submitProposal', { caller: operator, params: { id: draft.proposalId } });
    expect(second.status).toBe(202);
    // Past the evidence check, into the public review: the old photo no longer counts.
    await harness.inReview(draft.proposalId);
    const again = await harness.deps.store.getProposal(draft.proposalId);
    expect(again).toMatchObject({ version: 2, reasons: [] });
  });
});
