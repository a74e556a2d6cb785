import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIERS, type Tier } from '../../../domain/province-config.ts';
import { apiHarness, callers, postToSlot, type ApiHarness } from '../../support/api-harness.ts';
import { makePdf } from '../../support/evidence-fixtures.ts';

/** One simulated day lasts one real second: the 30-day appeal window lasts 30 s. */
const DAY = 1 / 86_400;
const VILLAGE = '81.71.01.1006';
const REGENCY = '81.71';
const operator = callers.operator(VILLAGE);
const statement = 'Keluarga ini kehilangan pekerjaan; surat keterangan desa terlampir.';

/*
 * Appeals through the API into the real workflow on the local Step Functions host: the rejection, the appeal's own
 * execution of the same version, the appeal tier's decision and the tiers above it.
 */
describe('POST /proposals/{id}/appeal', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await apiHarness({ timeScale: DAY, configOverrides: { reviewDays: 1, tiers: TIERS.map((tier) => ({ tier, slaDays: 300 })) } });
  });
  afterAll(() => api?.close());

  /** A proposal approved below `tier` and rejected there, its execution finished. */
  async function rejectedAt(tier: Tier) {
    const proposal = await api.draft();
    const { executionArn } = await api.submit(proposal.id);
    for (const below of TIERS.slice(0, TIERS.indexOf(tier))) await api.decide(await api.pendingTask(proposal.id, below), 'approve');
    await api.decide(await api.pendingTask(proposal.id, tier), 'reject', `Ditolak oleh ${tier}`);
    await api.finished(executionArn);
    expect((await api.deps.store.getProposal(proposal.id))?.status).toBe('REJECTED');
    return proposal;
  }

  const appeal = (proposalId: string, body: unknown = { statement }) =>
    api.call('appealProposal', { caller: operator, params: { id: proposalId }, body });

  it('overturns a district rejection: the regency hears the appeal, the regent endorses, and the proposal is REGISTERED', async () => {
    const proposal = await rejectedAt('district');

    const response = await appeal(proposal.id);
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ tier: 'regency', uploads: [expect.objectContaining({ kind: 'appeal-evidence', contentTypes: ['application/pdf'] })] });
    expect((await postToSlot(response.body.uploads[0], makePdf())).status).toBe(204);

    const taskId = await api.pendingTask(proposal.id, 'regency', 'appeal');
    const view = await api.call('getProposal', { caller: callers.approver('regency', REGENCY), params: { id: proposal.id } });
    expect(view.body).toMatchObject({
      status: 'APPEALED',
      stage: 'APPEAL',
      appeal: { statement, tier: 'regency', rejectedTier: 'district' },
      pendingTask: { taskId, kind: 'appeal', tier: 'regency' },
    });
    expect(view.body.documents.map((document: { kind: string }) => document.kind)).toContain('appeal-evidence');
    // Its numbers are locked again while the appeal runs.
    expect((await api.deps.store.acquireLocks('someone-else', (await api.deps.store.getProposal(proposal.id))!.locks!)).conflicts).not.toEqual([]);

    const decided = await api.call('decideTask', { caller: callers.approver('regency', REGENCY), params: { taskId }, body: { decision: 'approve' } });
    expect(decided.status).toBe(200);
    await api.decide(await api.pendingTask(proposal.id, 'regent'), 'approve');
    const execution = await api.finished(response.body.executionArn);

    expect(execution.status).toBe('SUCCEEDED');
    expect(await api.statesEntered(response.body.executionArn)).toEqual([
      'Validate submission',
      'Which tier hears the appeal?',
      'Appeal to social office',
      'Endorsement by regent',
      'Finalize',
      'Publish outcome',
      'Decided',
    ]);
    expect(await api.deps.store.getProposal(proposal.id)).toMatchObject({ status: 'REGISTERED', stage: 'FINALIZED' });
    expect(await api.deps.store.registryOf(proposal.villageCode)).toContainEqual(expect.objectContaining({ proposalId: proposal.id }));
    expect((await appeal(proposal.id)).body.error.code).toBe('ALREADY_APPEALED');
  });

  it('lets the regent hear an appeal of its own rejection, and a rejected appeal is final', async () => {
    const proposal = await rejectedAt('regent');
    const response = await appeal(proposal.id);
    expect(response.body.tier).toBe('regent');
    await api.decide(await api.pendingTask(proposal.id, 'regent', 'appeal'), 'reject', 'Tetap tidak memenuhi kriteria');
    await api.finished(response.body.executionArn);

    const stored = await api.deps.store.getProposal(proposal.id);
    expect(stored?.status).toBe('REJECTED');
    expect(stored?.reasons).toContainEqual(expect.objectContaining({ code: 'APPEAL_REJECTED' }));
    const again = await appeal(proposal.id);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_APPEALED');
  });

  it('refuses a proposal that was not rejected, with a stable code and nothing written', async () => {
    const proposal = await api.draft();
    const response = await appeal(proposal.id);
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('NOT_REJECTED');
    expect((await api.deps.store.getProposal(proposal.id))?.appeal).toBeUndefined();
  });

  it('refuses an appeal filed after appealDays, with a stable code and nothing written', async () => {
    const proposal = await rejectedAt('village');
    // The province's 30 days (30 s here) have passed since the rejection.
    api.clock.pinned = new Date(Date.now() + 31_000);
    try {
      const response = await appeal(proposal.id);
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('APPEAL_WINDOW_CLOSED');
    } finally {
      delete api.clock.pinned;
    }
    const stored = await api.deps.store.getProposal(proposal.id);
    expect(stored).toMatchObject({ status: 'REJECTED' });
    expect(stored?.appeal).toBeUndefined();
    expect((await api.deps.store.acquireLocks('someone-else', stored!.locks!)).conflicts).toEqual([]);
  });
});
