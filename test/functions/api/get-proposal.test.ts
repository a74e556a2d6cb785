import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_LINK_SECONDS } from '../../../functions/api/get-proposal.ts';
import { ProposalViewSchema } from '../../../functions/api/schemas.ts';
import { callers, type ApiHarness } from '../../support/api-harness.ts';
import { householdProposal, sampleObjection } from '../../support/proposals.ts';
import { createDraft, goodEvidenceFor, proposalApiHarness, submittedProposal, uploadThrough } from './support/proposal-flow.ts';

describe('GET /proposals/{id} (getProposal)', () => {
  let harness: ApiHarness;
  beforeAll(async () => {
    harness = await proposalApiHarness();
  });
  afterAll(async () => harness?.close());

  const operator = callers.operator();
  const view = async (id: string, caller = operator, lang?: 'en' | 'id') => {
    const response = await harness.call('getProposal', { caller, params: { id }, ...(lang ? { headers: { 'accept-language': lang } } : {}) });
    expect(response.status, response.text).toBe(200);
    return { body: ProposalViewSchema.parse(response.body), text: response.text };
  };
  /** The actions that appear in `sequence`, in the order they were recorded. */
  const inOrder = (actions: string[], sequence: string[]) => actions.filter((action) => sequence.includes(action));

  it('follows a proposal from draft to the village approval: stage, pending task, documents that download, history', async () => {
    const input = householdProposal();
    const draft = await createDraft(harness, input);

    const asDraft = await view(draft.proposalId);
    expect(asDraft.body).toMatchObject({ status: 'DRAFT', stage: 'DRAFT', version: 1, pendingTask: null, documents: [] });
    expect(asDraft.body.history.map((entry) => entry.action)).toEqual(['CREATED']);
    // Identity numbers only ever masked; the identity locks (keyed hashes) never leave either.
    expect(asDraft.body.household.kkMasked).toBe(`${input.household.kk.slice(0, 6)}**********`);
    expect(asDraft.body.members.map((member) => member.nikMasked)).toEqual(input.members.map((member) => `${member.nik.slice(0, 6)}**********`));
    for (const secret of [input.household.kk, ...input.members.map((member) => member.nik)]) expect(asDraft.text).not.toContain(secret);

    const uploaded = await uploadThrough(draft.uploads);
    const before = Date.now();
    const withDocuments = await view(draft.proposalId);
    expect(withDocuments.body.documents.map((document) => document.key).sort()).toEqual([...uploaded.keys()].sort());
    for (const document of withDocuments.body.documents) {
      expect(document.size).toBe(uploaded.get(document.key)!.length);
      const expiresIn = Date.parse(document.expiresAt) - before;
      expect(expiresIn).toBeGreaterThan((DOCUMENT_LINK_SECONDS - 60) * 1000);
      expect(expiresIn).toBeLessThanOrEqual((DOCUMENT_LINK_SECONDS + 60) * 1000);
      const download = await fetch(document.url);
      expect(download.status).toBe(200);
      expect(new Uint8Array(await download.arrayBuffer())).toEqual(uploaded.get(document.key));
    }

    const submit = await harness.call('submitProposal', { caller: operator, params: { id: draft.proposalId } });
    expect(submit.status).toBe(202);
    await harness.inReview(draft.proposalId);
    const inReview = await view(draft.proposalId);
    expect(inReview.body).toMatchObject({ status: 'IN_REVIEW', stage: 'PUBLIC_REVIEW', pendingTask: null, review: { endsAt: expect.any(String) } });

    const taskId = await harness.pendingTask(draft.proposalId, 'village');
    const approver = callers.approver('village', input.villageCode);
    const awaiting = await view(draft.proposalId, approver);
    expect(awaiting.body).toMatchObject({ status: 'AWAITING_APPROVAL', stage: 'APPROVAL', tier: 'village' });
    expect(awaiting.body.pendingTask).toEqual({
      taskId,
      proposalId: draft.proposalId,
      tier: 'village',
      kind: 'approval',
      dueAt: expect.any(String),
      overdue: false,
      villageCode: input.villageCode,
      escalations: 0,
    });
    expect(awaiting.text).not.toContain('token');
    const actions = awaiting.body.history.map((entry) => entry.action);
    expect(actions[0]).toBe('CREATED');
    expect(
      inOrder(actions, ['CREATED', 'SUBMITTED', 'VALIDATION_PASSED', 'LOCKS_ACQUIRED', 'EVIDENCE_ACCEPTED', 'REVIEW_OPENED', 'TASK_OPENED']),
    ).toEqual(['CREATED', 'SUBMITTED', 'VALIDATION_PASSED', 'LOCKS_ACQUIRED', 'EVIDENCE_ACCEPTED', 'REVIEW_OPENED', 'TASK_OPENED']);
    const times = awaiting.body.history.map((entry) => entry.at);
    expect(times).toEqual([...times].sort());
    expect(awaiting.body.history.find((entry) => entry.action === 'SUBMITTED')).toMatchObject({
      version: 1,
      actor: { type: 'user', id: operator.sub },
      from: { status: 'DRAFT', stage: 'DRAFT' },
      to: { status: 'SUBMITTED', stage: 'VALIDATION' },
    });

    // Past its due date the same task shows as overdue (the clock moves; the SLA timer has not fired yet).
    harness.clock.pinned = new Date(Date.parse(awaiting.body.pendingTask!.dueAt) + 1000);
    try {
      expect((await view(draft.proposalId, approver)).body.pendingTask).toMatchObject({ taskId, overdue: true });
    } finally {
      delete harness.clock.pinned;
    }

    await harness.decide(taskId, 'approve');
    const next = await harness.pendingTask(draft.proposalId, 'district');
    expect((await view(draft.proposalId, operator)).body.pendingTask).toMatchObject({ taskId: next, tier: 'district' });
  });

  it('gives reasons in the language asked for, and the flags as the checks stored them', async () => {
    const holder = await submittedProposal(harness);
    await harness.inReview(holder.proposalId);

    // The same person proposed again by another household: rejected as a duplicate by the regency.
    const twin = householdProposal();
    twin.members[1] = structuredClone(holder.input.members[1]!);
    const duplicate = await submittedProposal(harness, twin);
    const duplicateTask = await harness.pendingTask(duplicate.proposalId, 'regency', 'duplicate');
    await harness.decide(duplicateTask, 'duplicate', 'Orang yang sama', 'dinsos', 'reject');
    await harness.finished(duplicate.executionArn);

    const inEnglish = await view(duplicate.proposalId, operator, 'en');
    const inBahasa = await view(duplicate.proposalId, operator, 'id');
    expect(inEnglish.body.status).toBe('REJECTED');
    expect(inEnglish.body.reasons).toEqual([
      { path: '', code: 'REJECTED_AS_DUPLICATE', message: `Rejected as a duplicate of ${holder.proposalId} by the regency social office: Orang yang sama` },
    ]);
    expect(inBahasa.body.reasons).toEqual([
      { path: '', code: 'REJECTED_AS_DUPLICATE', message: `Ditolak sebagai data ganda dari ${holder.proposalId} oleh Dinas Sosial kabupaten/kota: Orang yang sama` },
    ]);
    expect(inEnglish.body.flags).toContainEqual({
      code: 'DUPLICATE_NIK',
      path: 'members.1.nik',
      pointer: { proposalId: holder.proposalId, registered: false },
    });
    expect(inEnglish.body.flags).toEqual((await harness.deps.store.getProposal(duplicate.proposalId))!.flags);

    // Another household that sends the holder's photo of the house front and forgets the minutes.
    const copied = await createDraft(harness);
    const front = [...holder.uploaded].find(([key]) => key.includes('/house-front/'))![1];
    await uploadThrough(
      copied.uploads.filter((slot) => slot.kind !== 'berita-acara'),
      (slot) => (slot.kind === 'house-front' ? front : goodEvidenceFor(slot)),
    );
    const submit = await harness.call('submitProposal', { caller: operator, params: { id: copied.proposalId } });
    await harness.finished(submit.body.executionArn);

    const evidence = await view(copied.proposalId, operator, 'en');
    expect(evidence.body.reasons.map((reason) => reason.code).sort()).toEqual(['DOCUMENT_MISSING', 'PHOTO_REUSED']);
    expect(evidence.body.reasons).toContainEqual({
      path: 'documents.berita-acara',
      code: 'DOCUMENT_MISSING',
      message: 'Signed minutes of the village deliberation has not been uploaded.',
    });
    const codes = evidence.body.flags.map((flag) => flag.code).sort();
    expect(codes).toEqual(['DOCUMENT_MISSING', 'PHOTO_DISTANCE', 'PHOTO_DISTANCE', 'PHOTO_REUSED']);
    expect(evidence.body.flags).toContainEqual(
      expect.objectContaining({ code: 'PHOTO_REUSED', path: 'documents.house-front', pointer: { proposalId: holder.proposalId } }),
    );
    expect(evidence.body.flags).toContainEqual(
      expect.objectContaining({ code: 'PHOTO_DISTANCE', detail: expect.objectContaining({ distanceMeters: expect.any(Number) }) }),
    );
    expect(evidence.body.flags).toEqual((await harness.deps.store.getProposal(copied.proposalId))!.flags);
  });

  it('shows objections in full to approvers and administrators, and only their kind and date to the operator', async () => {
    const { proposalId } = await createDraft(harness);
    const objection = { objectionId: ulid(), proposalId, ...sampleObjection, filedAt: new Date().toISOString() };
    await harness.deps.store.addObjection(objection);

    const asOperator = await view(proposalId, operator);
    const asApprover = await view(proposalId, callers.approver('district', '81.71.01'));
    const asAdmin = await view(proposalId, callers.admin('81'));

    expect(asOperator.body.objections).toEqual([{ objectionId: objection.objectionId, category: 'INCLUSION_ERROR', filedAt: objection.filedAt }]);
    expect(asOperator.text).not.toContain(sampleObjection.reporterContact);
    expect(asOperator.text).not.toContain(sampleObjection.reporterName);
    const full = {
      objectionId: objection.objectionId,
      category: 'INCLUSION_ERROR',
      filedAt: objection.filedAt,
      statement: sampleObjection.statement,
      reporterName: sampleObjection.reporterName,
      reporterContact: sampleObjection.reporterContact,
    };
    expect(asApprover.body.objections).toEqual([full]);
    expect(asAdmin.body.objections).toEqual([full]);
  });

  it('is for the village, and approvers and administrators of a region around it; nobody else', async () => {
    const { proposalId } = await createDraft(harness);
    const call = (caller: Parameters<typeof view>[1]) => harness.call('getProposal', { caller, params: { id: proposalId } });

    for (const allowed of [
      callers.approver('village', '81.71.01.1006'),
      callers.approver('district', '81.71.01'),
      callers.approver('regent', '81.71'),
      callers.admin('81.71'),
    ]) {
      expect((await call(allowed)).status).toBe(200);
    }
    for (const refused of [callers.operator('81.71.01.1007'), callers.approver('district', '81.71.02'), callers.admin('81.01'), callers.admin('73')]) {
      const response = await call(refused);
      expect([response.status, response.body.error.code]).toEqual([403, 'FORBIDDEN_REGION']);
    }
    const unknown = await harness.call('getProposal', { caller: operator, params: { id: '01J00000000000000000000000' } });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'PROPOSAL_NOT_FOUND']);
  });
});
