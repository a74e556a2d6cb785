import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIERS } from '../../../domain/province-config.ts';
import { apiHarness, callers, type ApiHarness } from '../../support/api-harness.ts';
import { householdProposal } from '../../support/proposals.ts';

const DAY = 1 / 86_400;
const VILLAGE = '81.71.01.1006';
const socialOffice = callers.approver('regency', '81.71');

describe('a duplicate task, side by side, through GET /tasks and GET /proposals/{id}', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await apiHarness({ timeScale: DAY, configOverrides: { reviewDays: 1, tiers: TIERS.map((tier) => ({ tier, slaDays: 300 })) } });
  });
  afterAll(() => api?.close());

  it('shows the regency both records masked with the shared number located on each, and the village only its own', async () => {
    const registered = await api.draft();
    const run = await api.submit(registered.id);
    for (const tier of TIERS) await api.decide(await api.pendingTask(registered.id, tier), 'approve');
    await api.finished(run.executionArn);
    const input = householdProposal();
    input.members[2] = { ...registered.members[1]! };
    const proposal = await api.draft(input);
    const { executionArn } = await api.submit(proposal.id);
    const taskId = await api.pendingTask(proposal.id, 'regency', 'duplicate');

    const inbox = await api.call('listTasks', { caller: socialOffice });
    const item = inbox.body.items.find((entry: { taskId: string }) => entry.taskId === taskId);
    expect(item).toMatchObject({
      kind: 'duplicate',
      tier: 'regency',
      duplicate: {
        proposal: { proposalId: proposal.id, status: 'SUBMITTED', members: expect.any(Array) },
        counterparts: [
          { proposalId: registered.id, status: 'REGISTERED', registered: true, matches: [{ path: 'members.2.nik', counterpartPath: 'members.1.nik' }] },
        ],
      },
    });
    expect(item.duplicate.counterparts[0].members[1].nikMasked).toBe(item.duplicate.proposal.members[2].nikMasked);
    // Masked on both sides: no full NIK or KK anywhere in the answer.
    for (const number of [...proposal.members.map((m) => m.nik), proposal.household.kk, registered.household.kk]) {
      expect(inbox.text).not.toContain(number);
    }

    const asApprover = await api.call('getProposal', { caller: socialOffice, params: { id: proposal.id } });
    expect(asApprover.body.pendingTask).toMatchObject({ kind: 'duplicate', duplicate: { counterparts: [{ proposalId: registered.id }] } });
    const asVillage = await api.call('getProposal', { caller: callers.operator(VILLAGE), params: { id: proposal.id } });
    expect(asVillage.body.pendingTask).toMatchObject({ kind: 'duplicate' });
    expect(asVillage.body.pendingTask).not.toHaveProperty('duplicate');

    const missing = await api.call('decideTask', { caller: socialOffice, params: { taskId }, body: { decision: 'duplicate', reason: 'Orang yang sama' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toContainEqual(expect.objectContaining({ path: 'resolution', code: 'RESOLUTION_REQUIRED' }));
    const decided = await api.call('decideTask', {
      caller: socialOffice,
      params: { taskId },
      body: { decision: 'duplicate', reason: 'Orang yang sama', resolution: 'reject' },
    });
    expect(decided.status).toBe(200);
    await api.finished(executionArn);
    expect((await api.deps.store.getProposal(proposal.id))?.status).toBe('REJECTED');
  });
});
