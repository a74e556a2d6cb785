import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIERS } from '../../../domain/province-config.ts';
import { ProposalViewSchema } from '../../../functions/api/schemas.ts';
import { releaseHeldDecisions } from '../../../functions/application/release-held-decisions.ts';
import { apiHarness, callers, type ApiHarness } from '../../support/api-harness.ts';
import { householdProposal } from '../../support/proposals.ts';

/** One simulated day lasts one real second. */
const DAY = 1 / 86_400;
const SLA_DAYS = 3;
const SLA_MS = SLA_DAYS * 1000;
const REASON = 'Pilkada serentak: persetujuan ditangguhkan sampai rekapitulasi selesai';

/*
 * Freezes on the real workflow: proposals run through the synthesized state machine on the local Step Functions
 * host, and the village head's SLA (3 days, 3 s here) lapses for real. With one escalation allowed, a lapse that
 * counted would escalate, and a second one would end the proposal in a recorded failure.
 */
describe('approval freezes', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await apiHarness({
      timeScale: DAY,
      configOverrides: { reviewDays: 1, maxEscalations: 1, tiers: TIERS.map((tier) => ({ tier, slaDays: SLA_DAYS })) },
    });
  }, 120_000);
  afterAll(() => api?.close());

  const admin = callers.admin('81.71');
  const place = (villageCode: string) => ({ villageCode, districtCode: villageCode.slice(0, 8), regencyCode: villageCode.slice(0, 5) });
  const declare = (body: Record<string, unknown>, caller = admin) => api.call('declareFreeze', { caller, body });
  const villageRequests = (proposalId: string) =>
    api.invocations.filter((entry) => entry.stage === 'RequestDecision' && entry.payload.proposalId === proposalId && entry.payload.tier === 'village');
  async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const actions = async (proposalId: string) => (await api.deps.store.auditTrail(proposalId)).map((entry) => entry.action);

  it('holds a decision during the freeze, pauses the SLA without escalating, and sends the decision when the freeze ends early', async () => {
    const village = '81.71.01.1006';
    const villageHead = callers.approver('village', village);
    const declared = await declare({
      regionCode: '81.71.01',
      startsAt: new Date(Date.now() - 1000).toISOString(),
      endsAt: new Date(Date.now() + 10 * 60_000).toISOString(),
      reason: REASON,
    });
    expect(declared.status).toBe(201);
    expect(declared.body).toMatchObject({ regionCode: '81.71.01', state: 'ACTIVE', reason: REASON, declaredBy: admin.sub });
    const freezeId = declared.body.freezeId;

    const proposal = await api.draft(householdProposal(place(village)));
    const { executionArn } = await api.submit(proposal.id);
    const taskId = await api.pendingTask(proposal.id, 'village');
    const opened = (await api.deps.store.getTask(taskId))!;

    const inbox = await api.call('listTasks', { caller: villageHead });
    expect(inbox.body.items.find((item: any) => item.taskId === taskId)).toMatchObject({ frozen: { reason: REASON, endsAt: declared.body.endsAt } });

    const decided = await api.call('decideTask', { caller: villageHead, params: { taskId }, body: { decision: 'approve' } });
    expect(decided.status).toBe(202);
    expect(decided.body).toEqual({
      taskId,
      decision: 'approve',
      decidedBy: villageHead.sub,
      decidedAt: expect.any(String),
      status: 'HELD',
      frozen: { reason: REASON, endsAt: declared.body.endsAt },
    });
    expect(await api.deps.store.getTask(taskId)).toMatchObject({ status: 'HELD', decision: { decision: 'approve', decidedBy: villageHead.sub } });
    const held = (await api.call('listTasks', { caller: villageHead })).body.items.find((item: any) => item.taskId === taskId);
    expect(held).toMatchObject({ held: { decision: 'approve', decidedBy: villageHead.sub }, frozen: { reason: REASON } });
    // A second approver meets the decision that stands.
    const second = await api.call('decideTask', { caller: { ...villageHead, sub: 'sekretaris' }, params: { taskId }, body: { decision: 'reject', reason: 'Tidak layak' } });
    expect(second.status).toBe(409);

    // Two SLAs lapse inside the freeze: each is paused (new token, due date moved by the frozen wait), none escalates.
    // The whole wait was frozen; only the moments between the timer's start and the task's opening do not count.
    await until('two paused lapses', async () => villageRequests(proposal.id).length >= 3 && (await actions(proposal.id)).filter((a) => a === 'SLA_PAUSED').length >= 2);
    const paused = (await api.deps.store.getTask(taskId))! as any;
    expect(paused).toMatchObject({ status: 'HELD', escalations: 0 });
    expect(paused.pausedMs).toBeGreaterThan(2 * SLA_MS - 1000);
    expect(paused.pausedMs).toBeLessThanOrEqual(2 * SLA_MS);
    expect(paused).not.toHaveProperty('escalatedTo');
    expect(Date.parse(paused.dueAt) - Date.parse(opened.dueAt)).toBe(paused.pausedMs);
    expect(paused.token).toBe(villageRequests(proposal.id).at(-1)!.payload.taskToken);
    expect(await actions(proposal.id)).not.toContain('TASK_ESCALATED');
    expect(await api.deps.store.getProposal(proposal.id)).toMatchObject({ status: 'AWAITING_APPROVAL', tier: 'village' });
    expect((await api.host.describeExecution(executionArn)).status).toBe('RUNNING');

    // Another administrator's region cannot end it.
    const outsider = await api.call('endFreeze', { caller: callers.admin('81.72'), params: { id: freezeId } });
    expect(outsider.status).toBe(403);

    const ended = await api.call('endFreeze', { caller: admin, params: { id: freezeId } });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ freezeId, state: 'ENDED', released: 1, stillHeld: 0, endedEarly: { by: admin.sub, plannedEndsAt: declared.body.endsAt } });

    const districtTask = await api.pendingTask(proposal.id, 'district');
    expect(districtTask).toBe(`${proposal.id}-v1-district`);
    expect(await api.deps.store.getTask(taskId)).toMatchObject({
      status: 'DECIDED',
      decision: { decision: 'approve', decidedBy: villageHead.sub, decidedAt: decided.body.decidedAt },
    });
    const trail = await actions(proposal.id);
    expect(trail.filter((action) => ['DECISION_HELD', 'DECISION_RELEASED', 'DECISION_RECORDED'].includes(action))).toEqual(['DECISION_HELD', 'DECISION_RELEASED']);
    expect((await api.deps.freezes.freezeAuditTrail(freezeId)).map((entry) => entry.action)).toEqual(['FREEZE_DECLARED', 'FREEZE_ENDED_EARLY']);

    // Ending it again, or releasing again, changes nothing.
    expect((await api.call('endFreeze', { caller: admin, params: { id: freezeId } })).status).toBe(409);
    await expect(releaseHeldDecisions(api.apiDeps)).resolves.toMatchObject({ released: 0 });
    const resumed = (await api.history(executionArn)).filter(
      (event: any) => event.type === 'TaskSucceeded' && JSON.stringify(event).includes(taskId),
    );
    expect(resumed).toHaveLength(1);
  }, 120_000);

  it('sends a held decision once when the freeze runs out, even with two releases at the same moment', async () => {
    // Another district, so the first test's freeze never covers it.
    const village = '81.71.02.1010';
    const villageHead = callers.approver('village', village);
    const proposal = await api.draft(householdProposal(place(village)));
    const { executionArn } = await api.submit(proposal.id);
    const taskId = await api.pendingTask(proposal.id, 'village');
    const declared = await declare({
      regionCode: village,
      startsAt: new Date(Date.now() - 1000).toISOString(),
      endsAt: new Date(Date.now() + 1500).toISOString(),
      reason: REASON,
    });
    expect(declared.status).toBe(201);

    const decided = await api.call('decideTask', { caller: villageHead, params: { taskId }, body: { decision: 'return', reason: 'Foto rumah tidak jelas' } });
    expect(decided.status).toBe(202);
    // Still frozen: the release leaves it held.
    await expect(releaseHeldDecisions(api.apiDeps)).resolves.toMatchObject({ released: 0 });
    expect(await api.deps.store.getTask(taskId)).toMatchObject({ status: 'HELD' });

    await until('the freeze to end', () => Date.now() > Date.parse(declared.body.endsAt));
    const runs = await Promise.all([releaseHeldDecisions(api.apiDeps), releaseHeldDecisions(api.apiDeps)]);
    expect(runs.map((run) => run.released).sort()).toEqual([0, 1]);

    expect((await api.finished(executionArn)).status).toBe('SUCCEEDED');
    expect(await api.deps.store.getProposal(proposal.id)).toMatchObject({ status: 'RETURNED' });
    expect((await actions(proposal.id)).filter((action) => action === 'DECISION_RELEASED')).toHaveLength(1);
    const listed = await api.call('listFreezes', { caller: admin, query: { state: 'ENDED' } });
    expect(listed.body.items.map((item: any) => item.freezeId)).toContain(declared.body.freezeId);
  }, 120_000);

  it('shows the proposal waiting on its held task, with the held decision and the freeze, until the release sends it', async () => {
    // A village no other test freezes; frozen before the task opens, so its SLA never escalates meanwhile.
    const village = '81.71.02.1011';
    const villageHead = callers.approver('village', village);
    const declared = await declare({
      regionCode: village,
      startsAt: new Date(Date.now() - 1000).toISOString(),
      endsAt: new Date(Date.now() + 10 * 60_000).toISOString(),
      reason: REASON,
    });
    expect(declared.status).toBe(201);
    const proposal = await api.draft(householdProposal(place(village)));
    await api.submit(proposal.id);
    const taskId = await api.pendingTask(proposal.id, 'village');
    const reason = 'Penghasilan keluarga di atas batas program';
    const decided = await api.call('decideTask', { caller: villageHead, params: { taskId }, body: { decision: 'reject', reason } });
    expect(decided.status).toBe(202);
    const view = async () => {
      const response = await api.call('getProposal', { caller: callers.operator(village), params: { id: proposal.id } });
      expect(response.status, response.text).toBe(200);
      return ProposalViewSchema.parse(response.body);
    };

    expect((await view()).pendingTask).toEqual({
      taskId,
      proposalId: proposal.id,
      tier: 'village',
      kind: 'approval',
      dueAt: expect.any(String),
      overdue: expect.any(Boolean),
      villageCode: village,
      escalations: 0,
      held: { decision: 'reject', reason, decidedBy: villageHead.sub, decidedAt: decided.body.decidedAt },
      frozen: { reason: REASON, endsAt: declared.body.endsAt },
    });

    const ended = await api.call('endFreeze', { caller: admin, params: { id: declared.body.freezeId } });
    expect(ended.body).toMatchObject({ released: 1, stillHeld: 0 });
    expect((await view()).pendingTask).toBeNull();
  }, 120_000);

  it('refuses a freeze that ends before it starts, runs too long, is already over, or lies outside the admin’s region', async () => {
    const now = Date.now();
    const at = (ms: number) => new Date(now + ms).toISOString();
    const backwards = await declare({ regionCode: '81.71', startsAt: at(60_000), endsAt: at(0), reason: REASON });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details).toEqual([expect.objectContaining({ path: 'endsAt', code: 'FREEZE_ENDS_BEFORE_START' })]);
    const tooLong = await declare({ regionCode: '81.71', startsAt: at(0), endsAt: at(181 * 86_400_000), reason: REASON });
    expect(tooLong.body.error.details).toEqual([expect.objectContaining({ path: 'endsAt', code: 'FREEZE_TOO_LONG' })]);
    const over = await declare({ regionCode: '81.71', startsAt: at(-120_000), endsAt: at(-60_000), reason: REASON });
    expect(over.body.error.details).toEqual([expect.objectContaining({ path: 'endsAt', code: 'FREEZE_ALREADY_OVER' })]);
    const outside = await declare({ regionCode: '81.72', startsAt: at(0), endsAt: at(60_000), reason: REASON });
    expect(outside.status).toBe(403);
    const unknownVillage = await declare({ regionCode: '81.71.01.9999', startsAt: at(0), endsAt: at(60_000), reason: REASON });
    expect(unknownVillage.status).toBe(400);
    const approver = await declare({ regionCode: '81.71', startsAt: at(0), endsAt: at(60_000), reason: REASON }, callers.approver('regency', '81.71') as never);
    expect(approver.status).toBe(403);
  });
});
