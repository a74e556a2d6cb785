import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../../domain/access.ts';
import { TIERS } from '../../../domain/province-config.ts';
import { apiHarness, callers, type ApiHarness } from '../../support/api-harness.ts';

/** One simulated day lasts one real second; the public review lasts one day. */
const DAY = 1 / 86_400;
const VILLAGE = '81.71.01.1006';
const villageHead = callers.approver('village', VILLAGE);

/*
 * Every decision here goes through the API handler into the real workflow: proposals run through the synthesized
 * state machine on the local Step Functions host until the village head's task waits for its token.
 */
describe.concurrent('POST /tasks/{taskId}/decision', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    // SLAs of 300 days (five minutes here) keep every task here free of escalations, even on a loaded machine.
    api = await apiHarness({
      timeScale: DAY,
      configOverrides: { reviewDays: 1, tiers: TIERS.map((tier) => ({ tier, slaDays: 300 })) },
    });
  });
  afterAll(() => api?.close());

  /** A proposal whose village approval task is waiting in the village head's inbox. */
  async function villageTask() {
    const proposal = await api.draft();
    const { executionArn } = await api.submit(proposal.id);
    const taskId = await api.pendingTask(proposal.id, 'village');
    return { proposal, taskId, executionArn };
  }

  const decide = (caller: Caller, taskId: string, body: unknown) =>
    api.call('decideTask', { caller, params: { taskId }, body });

  /** Nothing of a refused request reached the task, the audit trail or the workflow. */
  async function expectNothingRecorded(proposalId: string, taskId: string) {
    const task = await api.deps.store.getTask(taskId);
    expect(task).toMatchObject({ status: 'PENDING' });
    expect(task).not.toHaveProperty('decision');
    const actions = (await api.deps.store.auditTrail(proposalId)).map((entry) => entry.action);
    expect(actions).not.toContain('DECISION_RECORDED');
    expect(await api.deps.store.getProposal(proposalId)).toMatchObject({ status: 'AWAITING_APPROVAL', tier: 'village' });
  }

  it('records the village head’s approval, answers with it, and the proposal moves on to the district', async () => {
    const { proposal, taskId } = await villageTask();
    const { token } = (await api.deps.store.getTask(taskId))!;

    const response = await decide(villageHead, taskId, { decision: 'approve' });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      taskId,
      decision: 'approve',
      decidedBy: villageHead.sub,
      decidedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(response.text).not.toContain(token);
    const districtTask = await api.pendingTask(proposal.id, 'district');
    expect(await api.deps.store.getTask(districtTask)).toMatchObject({ tier: 'district', regionCode: '81.71.01' });
    expect(await api.deps.store.getTask(taskId)).toMatchObject({
      status: 'DECIDED',
      decision: { decision: 'approve', decidedBy: villageHead.sub, decidedAt: response.body.decidedAt },
    });
  });

  it('returns a proposal with the reason given, and the workflow ends it RETURNED', async () => {
    const { proposal, taskId, executionArn } = await villageTask();

    const response = await decide(villageHead, taskId, { decision: 'return', reason: '  Foto rumah tidak jelas  ' });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ decision: 'return', reason: 'Foto rumah tidak jelas' });
    expect((await api.finished(executionArn)).status).toBe('SUCCEEDED');
    expect(await api.deps.store.getProposal(proposal.id)).toMatchObject({ status: 'RETURNED' });
  });

  it('refuses an approver of another tier (403 FORBIDDEN_TIER) and of another region (403 FORBIDDEN_REGION), recording nothing', async () => {
    const { proposal, taskId } = await villageTask();

    const camat = await decide(callers.approver('district', '81.71.01'), taskId, { decision: 'approve' });
    expect(camat.status).toBe(403);
    expect(camat.body.error.code).toBe('FORBIDDEN_TIER');

    const neighbour = await decide(callers.approver('village', '81.71.01.1007'), taskId, { decision: 'approve' });
    expect(neighbour.status).toBe(403);
    expect(neighbour.body.error.code).toBe('FORBIDDEN_REGION');

    const elsewhere = await decide(callers.approver('district', '81.71.02'), taskId, { decision: 'reject', reason: 'Tidak layak' });
    expect(elsewhere.status).toBe(403);

    const operator = await decide(callers.operator(VILLAGE), taskId, { decision: 'approve' });
    expect(operator.body.error.code).toBe('FORBIDDEN_ROLE');

    await expectNothingRecorded(proposal.id, taskId);
  });

  it('requires a reason to reject, return or uphold (400 with the field), and refuses a decision that does not fit the task (422)', async () => {
    const { proposal, taskId } = await villageTask();

    const noReason = await decide(villageHead, taskId, { decision: 'reject' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('VALIDATION_FAILED');
    expect(noReason.body.error.details).toEqual([expect.objectContaining({ path: 'reason', code: 'REASON_REQUIRED' })]);

    const blankReason = await decide(villageHead, taskId, { decision: 'return', reason: '    ' });
    expect(blankReason.status).toBe(400);
    expect(blankReason.body.error.details.map((detail: { path: string }) => detail.path)).toEqual(['reason']);

    const unknown = await decide(villageHead, taskId, { decision: 'maybe' });
    expect(unknown.status).toBe(400);

    const notForTask = await decide(villageHead, taskId, { decision: 'uphold', reason: 'Sanggahan terbukti benar' });
    expect(notForTask.status).toBe(422);
    expect(notForTask.body.error.code).toBe('DECISION_NOT_FOR_TASK');
    expect(notForTask.body.error.details).toEqual([expect.objectContaining({ path: 'decision', code: 'DECISION_NOT_ALLOWED' })]);

    await expectNothingRecorded(proposal.id, taskId);
  });

  it('answers 404 TASK_NOT_FOUND for a task that does not exist', async () => {
    const response = await decide(villageHead, '01JZZZZZZZZZZZZZZZZZZZZZZZ-v1-village', { decision: 'approve' });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('TASK_NOT_FOUND');
  });

  it('refuses a second decision with 409 TASK_ALREADY_DECIDED, showing the decision that stands', async () => {
    const { proposal, taskId } = await villageTask();
    const first = await decide(villageHead, taskId, { decision: 'approve' });
    expect(first.status).toBe(200);

    const second = await decide(villageHead, taskId, { decision: 'reject', reason: 'Berubah pikiran' });

    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({
      code: 'TASK_ALREADY_DECIDED',
      recorded: { decision: 'approve', decidedAt: first.body.decidedAt, decidedBy: villageHead.sub },
    });
    expect(second.text).not.toContain((await api.deps.store.getTask(taskId))!.token);
    const recorded = (await api.deps.store.auditTrail(proposal.id)).filter((entry) => entry.action === 'DECISION_RECORDED');
    expect(recorded).toHaveLength(1);
  });

  it('lets exactly one of two approvers deciding at the same moment win; the other gets 409 and the workflow resumes once', async () => {
    const { proposal, taskId, executionArn } = await villageTask();
    const kepalaDesa = { ...villageHead, sub: 'kepala-desa-amahusu' };
    const sekretarisDesa = { ...villageHead, sub: 'sekretaris-desa-amahusu' };

    const responses = await Promise.all([
      decide(kepalaDesa, taskId, { decision: 'approve' }),
      decide(sekretarisDesa, taskId, { decision: 'approve' }),
    ]);

    expect(responses.map((response) => response.status).sort()).toEqual([200, 409]);
    const won = responses.find((response) => response.status === 200)!;
    const lost = responses.find((response) => response.status === 409)!;
    expect(lost.body.error).toMatchObject({
      code: 'TASK_ALREADY_DECIDED',
      recorded: { decision: 'approve', decidedBy: won.body.decidedBy, decidedAt: won.body.decidedAt },
    });
    await api.pendingTask(proposal.id, 'district');
    const recorded = (await api.deps.store.auditTrail(proposal.id)).filter((entry) => entry.action === 'DECISION_RECORDED');
    expect(recorded.map((entry) => entry.actor.id)).toEqual([won.body.decidedBy]);
    // One token wait ended (the village approval, with the winner's decision), and only the district was asked next.
    const resumed = (await api.history(executionArn)).filter(
      (event: any) => event.type === 'TaskSucceeded' && JSON.stringify(event).includes('waitForTaskToken'),
    );
    expect(resumed).toHaveLength(1);
    expect(JSON.stringify(resumed[0])).toContain(taskId);
    const asked = api.invocations.filter(
      (entry) => entry.stage === 'RequestDecision' && entry.payload.proposalId === proposal.id,
    );
    expect(asked.map((entry) => entry.payload.tier)).toEqual(['village', 'district']);
  });
});
