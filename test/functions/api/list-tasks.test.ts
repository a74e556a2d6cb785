import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TIERS, type Tier } from '../../../domain/province-config.ts';
import { TaskSummarySchema } from '../../../functions/api/schemas.ts';
import { requestDecision } from '../../../functions/request-decision.ts';
import { apiHarness, callers, type ApiHarness } from '../../support/api-harness.ts';
import { householdProposal } from '../../support/proposals.ts';
import { proposalAt } from '../support/stage-fixtures.ts';

/** One simulated day lasts one real second. */
const DAY = 1 / 86_400;
const SLA_DAYS = 100;
const SLA_MS = SLA_DAYS * 1000;
const T0 = new Date('2025-06-02T01:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

/*
 * Most inbox tasks here are opened by the request-decision stage itself (what the workflow runs), on the real
 * table, with the clock pinned so due dates are exact; one test goes through the whole workflow. Each test
 * uses villages of its own, so inboxes never share tasks across tests.
 */
describe('GET /tasks (the approver inbox)', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await apiHarness({
      timeScale: DAY,
      configOverrides: { reviewDays: 1, tiers: TIERS.map((tier) => ({ tier, slaDays: SLA_DAYS })) },
    });
  });
  afterAll(() => api?.close());
  afterEach(() => {
    delete api.clock.pinned;
  });

  /** A task the stage opens for a proposal of `villageCode` while the clock reads `openedAt`. */
  async function openTask(
    villageCode: string,
    openedAt: Date,
    tier: Tier = 'village',
    kind: 'approval' | 'adjudication' = 'approval',
    token = `token-${Math.random()}`,
  ) {
    api.clock.pinned = openedAt;
    const districtCode = villageCode.slice(0, 8);
    const proposal = await proposalAt(
      api.deps,
      kind === 'approval' ? 'APPROVAL' : 'ADJUDICATION',
      kind === 'approval' ? 'AWAITING_APPROVAL' : 'IN_REVIEW',
      householdProposal({ villageCode, districtCode, regencyCode: villageCode.slice(0, 5) }),
      { tier },
    );
    const request = { proposalId: proposal.id, version: proposal.version, kind, tier, taskToken: token };
    const { taskId } = await requestDecision(request, api.deps);
    return { taskId, proposal, request };
  }

  const inbox = (tier: Tier, region: string, query: Record<string, string> = {}) =>
    api.call('listTasks', { caller: callers.approver(tier, region), query });

  it('shows the task the workflow opened to the village head, with its proposal, and never its token', async () => {
    const proposal = await api.draft();
    await api.submit(proposal.id);
    const taskId = await api.pendingTask(proposal.id, 'village');

    const response = await inbox('village', proposal.villageCode);

    expect(response.status).toBe(200);
    const item = response.body.items.find((entry: { taskId: string }) => entry.taskId === taskId);
    const stored = (await api.deps.store.getTask(taskId))!;
    expect(item).toEqual({
      taskId,
      proposalId: proposal.id,
      tier: 'village',
      kind: 'approval',
      dueAt: stored.dueAt,
      overdue: false,
      villageCode: proposal.villageCode,
      escalations: 0,
    });
    expect(response.text).not.toContain(stored.token);
  });

  it("lists only pending tasks of the caller's own tier and region, oldest due first, in exactly the summary fields", async () => {
    const village = '81.71.01.1008';
    const late = await openTask(village, at(2 * 60_000));
    const early = await openTask(village, at(0));
    const middle = await openTask(village, at(60_000));
    const decided = await openTask(village, at(-60_000));
    await api.deps.store.recordDecision(decided.taskId, { decision: 'approve', decidedBy: 'someone', decidedAt: T0.toISOString() });
    const otherVillage = await openTask('81.71.01.1009', at(-120_000));
    const districtApproval = await openTask(village, at(-180_000), 'district');
    const adjudication = await openTask(village, at(-240_000), 'district', 'adjudication');
    const otherDistrict = await openTask('81.71.02.1010', at(-300_000), 'district');
    api.clock.pinned = at(0);

    const villageHead = await inbox('village', village);
    expect(villageHead.status).toBe(200);
    expect(villageHead.body.items.map((item: { taskId: string }) => item.taskId)).toEqual([
      early.taskId,
      middle.taskId,
      late.taskId,
    ]);
    expect(villageHead.body).not.toHaveProperty('cursor');
    // `duplicate` (both records side by side) comes only with duplicate tasks.
    const fields = Object.keys(TaskSummarySchema.shape).filter((field) => field !== 'duplicate').sort();
    for (const item of villageHead.body.items) expect(Object.keys(item).sort()).toEqual(fields);
    expect(villageHead.body.items[0].dueAt).toBe(new Date(T0.getTime() + SLA_MS).toISOString());

    const camat = await inbox('district', '81.71.01');
    expect(camat.body.items.map((item: { taskId: string }) => item.taskId)).toEqual([adjudication.taskId, districtApproval.taskId]);
    expect(camat.body.items[0]).toMatchObject({ kind: 'adjudication', tier: 'district', villageCode: village });

    expect((await inbox('village', '81.71.01.1009')).body.items.map((item: { taskId: string }) => item.taskId)).toEqual([
      otherVillage.taskId,
    ]);
    expect((await inbox('district', '81.71.02')).body.items.map((item: { taskId: string }) => item.taskId)).toEqual([
      otherDistrict.taskId,
    ]);
    // The regency sees none of these: they wait on the tiers below it.
    expect((await inbox('regency', '81.71')).body.items).toEqual([]);
  });

  it('marks a task overdue once its due date passed, and keeps an escalated task marked after it gets a new due date', async () => {
    const village = '81.71.01.1010';
    const due = await openTask(village, at(0));
    const notYet = await openTask(village, at(SLA_MS));
    const escalated = await openTask(village, at(2 * SLA_MS));
    // The SLA lapsed and the workflow asked again with a new token: the same task, escalated, due later.
    api.clock.pinned = at(3 * SLA_MS);
    await requestDecision({ ...escalated.request, taskToken: 'token-after-sla' }, api.deps);

    api.clock.pinned = at(SLA_MS + 1);
    const response = await inbox('village', village);

    expect(response.status).toBe(200);
    expect(response.body.items).toEqual([
      expect.objectContaining({ taskId: due.taskId, overdue: true, escalations: 0 }),
      expect.objectContaining({ taskId: notYet.taskId, overdue: false, escalations: 0 }),
      expect.objectContaining({
        taskId: escalated.taskId,
        overdue: true,
        escalations: 1,
        dueAt: at(4 * SLA_MS).toISOString(),
      }),
    ]);
    expect(response.text).not.toContain('token-after-sla');
  });

  it('pages through the inbox with an opaque cursor, every task once, in order', async () => {
    const village = '81.71.01.1011';
    const opened = [];
    for (let i = 0; i < 5; i++) opened.push(await openTask(village, at(i * 1000)));
    api.clock.pinned = at(0);

    const seen: string[] = [];
    const pages: number[] = [];
    let cursor: string | undefined;
    do {
      const response = await inbox('village', village, { limit: '2', ...(cursor ? { cursor } : {}) });
      expect(response.status).toBe(200);
      seen.push(...response.body.items.map((item: { taskId: string }) => item.taskId));
      pages.push(response.body.items.length);
      cursor = response.body.cursor;
      if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    } while (cursor);

    expect(pages).toEqual([2, 2, 1]);
    expect(seen).toEqual(opened.map((task) => task.taskId));
  });

  it('refuses a cursor it did not hand out with 400 INVALID_CURSOR', async () => {
    const forged = [
      'not a cursor!',
      Buffer.from('garbage').toString('base64url'),
      Buffer.from('{"pk":"TASK#x"}').toString('base64url'),
      Buffer.from('yesterday#task-1').toString('base64url'),
      Buffer.from('2025-06-02T01:00:00.000Z#').toString('base64url'),
    ];
    for (const cursor of forged) {
      const response = await inbox('village', '81.71.01.1012', { cursor });
      expect(response.status, cursor).toBe(400);
      expect(response.body.error.code).toBe('INVALID_CURSOR');
    }
  });

  it('is for approvers only', async () => {
    expect((await api.call('listTasks', { caller: callers.operator() })).body.error.code).toBe('FORBIDDEN_ROLE');
    expect((await api.call('listTasks', { caller: callers.admin() })).status).toBe(403);
    expect((await api.call('listTasks', {})).status).toBe(401);
  });
});
