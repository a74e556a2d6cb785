import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callers, type ApiHarness } from '../../support/api-harness.ts';
import { proposalApiHarness, uploadThrough, type Slot } from './support/proposal-flow.ts';
import { object, objectionBody } from './support/registry.ts';

/*
 * The test "An objection against a registered household, through to removal": a household registered by
 * the workflow, a neighbour's objection that it has died, the village's case with the death certificate, and the
 * removal through public review and every approval tier, the reporter following it by receipt.
 */
describe('an objection against a registered household, through to removal', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await proposalApiHarness();
  });
  afterAll(() => api?.close());

  const status = async (receipt: string) => (await api.call('getObjectionStatus', { params: { receipt } })).body;

  it('ends the registration with reason DECEASED and shows the reporter UPHELD', async () => {
    const household = await api.draft();
    const registration = await api.submit(household.id);
    await api.approveThrough(household.id);
    await api.finished(registration.executionArn);
    expect(await api.deps.store.getProposal(household.id)).toMatchObject({ status: 'REGISTERED' });
    const board = await api.call('listRegistry', { params: { villageCode: household.villageCode } });
    expect(board.body.items.map((item: { proposalId: string }) => item.proposalId)).toContain(household.id);

    // A neighbour objects from the public board and gets a receipt.
    const receipt = await object(api, household.id, objectionBody('DECEASED'));
    expect(await status(receipt)).toMatchObject({ status: 'RECEIVED', category: 'DECEASED', group: 'INCLUSION' });

    // The case waits among the village's drafts, marked as coming from that objection.
    const operator = callers.operator(household.villageCode);
    const drafts = await api.call('listProposals', { caller: operator, query: { status: 'DRAFT', limit: '100' } });
    const listed = drafts.body.items.find((item: { origin?: { receipt: string } }) => item.origin?.receipt === receipt);
    expect(listed).toMatchObject({ status: 'DRAFT', origin: { kind: 'OBJECTION', receipt, category: 'DECEASED' } });
    const caseId = listed.proposalId as string;

    // The operator uploads the death certificate the reason needs and submits the case.
    const slots = await api.call('requestUploads', {
      caller: operator,
      params: { id: caseId },
      body: { documents: [{ kind: 'death-certificate', contentType: 'application/pdf' }] },
    });
    expect(slots.status, slots.text).toBe(200);
    await uploadThrough(slots.body.uploads as Slot[]);
    const submitted = await api.call('submitProposal', { caller: operator, params: { id: caseId } });
    expect(submitted.status, submitted.text).toBe(202);
    expect((await status(receipt)).status).toBe('IN_PROCESS');

    // The removal is posted for public review, then approved at every tier.
    await api.inReview(caseId);
    await api.approveThrough(caseId);
    const execution = await api.finished(submitted.body.executionArn);
    expect(execution.status).toBe('SUCCEEDED');

    expect(await api.deps.store.getProposal(caseId)).toMatchObject({ type: 'REMOVE', status: 'REGISTERED' });
    const ended = await api.deps.store.getProposal(household.id);
    expect(ended).toMatchObject({ status: 'REGISTERED', registration: { endReason: 'DECEASED', endedBy: caseId, endedAt: expect.any(String) } });
    expect(ended!.openCase).toBeUndefined();
    const result = await status(receipt);
    expect(result).toMatchObject({ status: 'UPHELD', inProcessAt: expect.any(String), decidedAt: expect.any(String) });
    expect(result.decidedAt >= result.inProcessAt).toBe(true);
    const after = await api.call('listRegistry', { params: { villageCode: household.villageCode } });
    expect(after.body.items.map((item: { proposalId: string }) => item.proposalId)).not.toContain(household.id);
  }, 180_000);
});
