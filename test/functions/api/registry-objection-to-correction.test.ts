import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskNik } from '../../../domain/masking.ts';
import { callers, type ApiHarness } from '../../support/api-harness.ts';
import { nikFor } from '../../support/proposals.ts';
import { proposalApiHarness, uploadThrough, type Slot } from './support/proposal-flow.ts';
import { object, objectionBody } from './support/registry.ts';

/*
 * A data error reported by a citizen, through to the corrected record: a household registered by the workflow, a
 * neighbour's objection that a NIK is wrong, the village completing the UPDATE case with the NIK Dukcapil issued,
 * its evidence, and the correction through public review and every approval tier, the reporter following it by receipt.
 */
describe('an objection to a wrong NIK, through to the corrected record', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await proposalApiHarness();
  });
  afterAll(() => api?.close());

  const status = async (receipt: string) => (await api.call('getObjectionStatus', { params: { receipt } })).body;
  const registry = async (villageCode: string) =>
    (await api.call('listRegistry', { params: { villageCode } })).body.items as { proposalId: string; caseOpen: boolean }[];

  it('registers the corrected record in place of the old one and shows the reporter UPHELD', async () => {
    const household = await api.draft();
    const registration = await api.submit(household.id);
    await api.approveThrough(household.id);
    await api.finished(registration.executionArn);
    const registered = (await api.deps.store.getProposal(household.id))!;
    expect(registered).toMatchObject({ status: 'REGISTERED' });

    // A neighbour reports that the child's NIK on the register is not the one on the family card.
    const receipt = await object(api, household.id, { ...objectionBody('WRONG_NIK'), statement: 'NIK anak di daftar tidak sama dengan KK.' });
    expect(await status(receipt)).toMatchObject({ status: 'RECEIVED', category: 'WRONG_NIK', group: 'DATA_ERROR' });

    // The case waits among the village's drafts: an UPDATE whose record is still the registered one.
    const operator = callers.operator(household.villageCode);
    const drafts = await api.call('listProposals', { caller: operator, query: { status: 'DRAFT', limit: '100' } });
    const listed = drafts.body.items.find((item: { origin?: { receipt: string } }) => item.origin?.receipt === receipt);
    expect(listed).toMatchObject({ status: 'DRAFT', origin: { kind: 'OBJECTION', receipt, category: 'WRONG_NIK' } });
    const caseId = listed.proposalId as string;
    expect(await api.deps.store.getProposal(caseId)).toMatchObject({ type: 'UPDATE', members: registered.members });

    // The operator checks with Dukcapil and completes the draft with the right NIK and why.
    const child = registered.members[2]!;
    const fixedNik = nikFor('81.71.01', child.birthDate, child.sex, 9996);
    const { household: record, programs, criteria } = registered;
    const edited = await api.call('reviseProposal', {
      caller: operator,
      params: { id: caseId },
      body: {
        type: 'UPDATE',
        version: 1,
        household: record,
        members: [registered.members[0], registered.members[1], { ...child, nik: fixedNik }],
        programs,
        criteria,
        correction: { statement: 'NIK anak diperbaiki sesuai KK terbaru dari Dukcapil.' },
      },
    });
    expect(edited.status, edited.text).toBe(200);
    expect(edited.body).toMatchObject({ proposalId: caseId, version: 1, status: 'DRAFT' });
    const slots = edited.body.uploads as Slot[];
    expect(slots.map((slot) => slot.kind)).toEqual(['id-scan', 'berita-acara']);

    // The KK scan and the minutes, then the case goes into the workflow.
    await uploadThrough(slots);
    const submitted = await api.call('submitProposal', { caller: operator, params: { id: caseId } });
    expect(submitted.status, submitted.text).toBe(202);
    expect((await status(receipt)).status).toBe('IN_PROCESS');

    // Posted for public review, then approved at every tier, each seeing the old NIK beside the new one.
    await api.inReview(caseId);
    const view = await api.call('getProposal', { caller: callers.approver('regency', '81.71'), params: { id: caseId } });
    expect(view.body.changes).toEqual([{ path: 'members.2.nik', old: maskNik(child.nik), new: maskNik(fixedNik) }]);
    await api.approveThrough(caseId);
    const execution = await api.finished(submitted.body.executionArn);
    expect(execution.status).toBe('SUCCEEDED');

    const corrected = await api.deps.store.getProposal(caseId);
    expect(corrected).toMatchObject({ type: 'UPDATE', status: 'REGISTERED', completedAt: expect.any(String) });
    expect(corrected!.members[2]!.nik).toBe(fixedNik);
    const old = await api.deps.store.getProposal(household.id);
    expect(old).toMatchObject({ status: 'REGISTERED', supersededBy: caseId });
    expect(old!.openCase).toBeUndefined();
    // Nothing is deleted: the old record keeps the NIK it was registered with.
    expect(old!.members[2]!.nik).toBe(child.nik);

    const board = await registry(household.villageCode);
    expect(board.map((item) => item.proposalId)).toContain(caseId);
    expect(board.map((item) => item.proposalId)).not.toContain(household.id);
    expect(board.find((item) => item.proposalId === caseId)).toMatchObject({ caseOpen: false });

    const result = await status(receipt);
    expect(result).toMatchObject({ status: 'UPHELD', inProcessAt: expect.any(String), decidedAt: expect.any(String) });
    expect(result.decidedAt >= result.inProcessAt).toBe(true);
  }, 180_000);
});
