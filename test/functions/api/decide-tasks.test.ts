import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIERS } from '../../../domain/province-config.ts';
import { BatchDecisionResponse } from '../../../functions/api/schemas.ts';
import { taskIdFor } from '../../../functions/shared/tasks.ts';
import { apiHarness, callers, type ApiHarness } from '../../support/api-harness.ts';
import { householdProposal } from '../../support/proposals.ts';
import { proposalAt } from '../support/stage-fixtures.ts';

/** One simulated day lasts one real second. */
const DAY = 1 / 86_400;
const VILLAGE = '81.71.01.1006';
const villageHead = callers.approver('village', VILLAGE);

/*
 * Every task here is opened by the province's own state machine on the local Step Functions host, and every
 * decision resumes it through its token. To open 200 tasks without running 200 photo checks, the executions start
 * at the village approval (the synthesized definition, its StartAt moved there) for proposals whose public review
 * closed, as the earlier stages leave them.
 */
/** The definition started at `start`, keeping only the states reachable from it (as the host validates). */
function startingAt(definition: Record<string, any>, start: string) {
  const states: Record<string, any> = definition.States;
  const reachable = new Set<string>();
  const visit = (name: string | undefined) => {
    if (!name || reachable.has(name)) return;
    reachable.add(name);
    const state = states[name];
    [state.Next, state.Default, ...(state.Choices ?? []).map((choice: any) => choice.Next), ...(state.Catch ?? []).map((c: any) => c.Next)].forEach(visit);
  };
  visit(start);
  return { ...definition, StartAt: start, States: Object.fromEntries(Object.entries(states).filter(([name]) => reachable.has(name))) };
}

describe('POST /tasks/decisions (batch approval)', () => {
  let api: ApiHarness;
  let fromApproval: string;
  beforeAll(async () => {
    // SLAs of 300 days (five minutes here) keep every task free of escalations while the batch runs.
    api = await apiHarness({ timeScale: DAY, configOverrides: { reviewDays: 1, tiers: TIERS.map((tier) => ({ tier, slaDays: 300 })) } });
    fromApproval = `${api.stateMachineArn}-FromApproval`;
    await api.host.createStateMachine({ arn: fromApproval, definition: startingAt(api.definition, 'Approval by village head') });
  }, 120_000);
  afterAll(() => api?.close());

  /** `count` proposals of `villageCode` whose village approval task waits in the inbox, opened by the workflow. */
  async function villageTasks(count: number, villageCode = VILLAGE) {
    const place = { villageCode, districtCode: villageCode.slice(0, 8), regencyCode: villageCode.slice(0, 5) };
    const opened: { proposalId: string; taskId: string; executionArn: string }[] = [];
    for (let index = 0; index < count; index += 20) {
      const slice = await Promise.all(
        Array.from({ length: Math.min(20, count - index) }, async () => {
          const proposal = await proposalAt(api.deps, 'PUBLIC_REVIEW', 'IN_REVIEW', householdProposal(place));
          const { executionArn } = await api.host.startExecution({
            stateMachineArn: fromApproval,
            name: `${proposal.id}-v1`,
            input: JSON.stringify({ proposalId: proposal.id, version: 1 }),
          });
          return { proposalId: proposal.id, taskId: await api.pendingTask(proposal.id, 'village'), executionArn };
        }),
      );
      opened.push(...slice);
    }
    return opened;
  }

  const batch = (body: unknown, caller = villageHead) => api.call('decideTasks', { caller, body });
  const recordedDecisions = async (proposalId: string) =>
    (await api.deps.store.auditTrail(proposalId)).filter((entry) => entry.action === 'DECISION_RECORDED');

  it('decides 200 tasks of which a few were already decided: exactly the rest are applied, the others keep their decision', async () => {
    const tasks = await villageTasks(200);
    const early = [
      { index: 3, body: { decision: 'approve' } },
      { index: 57, body: { decision: 'reject', reason: 'Rumah permanen, tidak memenuhi kriteria' } },
      { index: 120, body: { decision: 'return', reason: 'Foto rumah tidak jelas' } },
      { index: 199, body: { decision: 'approve' } },
    ];
    const sekretaris = { ...villageHead, sub: 'sekretaris-desa' };
    const earlier = new Map<number, any>();
    for (const { index, body } of early) {
      const response = await api.call('decideTask', { caller: sekretaris, params: { taskId: tasks[index]!.taskId }, body });
      expect(response.status).toBe(200);
      earlier.set(index, response.body);
    }

    const started = Date.now();
    const response = await batch({ decisions: tasks.map(({ taskId }) => ({ taskId, decision: 'approve' })) });
    const elapsedMs = Date.now() - started;
    console.info(`batch of 200 decisions took ${elapsedMs} ms`);

    expect(response.status).toBe(200);
    expect(BatchDecisionResponse.parse(response.body)).toBeTruthy();
    const items = response.body.items as any[];
    expect(items.map((item) => item.taskId)).toEqual(tasks.map((task) => task.taskId));
    const alreadyDecided = items.flatMap((item, index) => (item.outcome === 'ALREADY_DECIDED' ? [index] : []));
    expect(alreadyDecided).toEqual(early.map((entry) => entry.index));
    for (const index of alreadyDecided) {
      const { decision, decidedBy, decidedAt } = earlier.get(index);
      expect(items[index]).toMatchObject({ decision: { decision, decidedBy, decidedAt }, error: { code: 'TASK_ALREADY_DECIDED' } });
      expect(await api.deps.store.getTask(tasks[index]!.taskId)).toMatchObject({ status: 'DECIDED', decision: { decision, decidedBy: sekretaris.sub, decidedAt } });
    }
    const decided = items.filter((item) => item.outcome === 'DECIDED');
    expect(decided).toHaveLength(196);
    for (const item of decided) expect(item.decision).toMatchObject({ decision: 'approve', decidedBy: villageHead.sub });
    // Every decision started before the route's 18 s limit (none was left FAILED), inside API Gateway's 30 s.
    expect(elapsedMs).toBeLessThan(29_000);

    // Each proposal has exactly one recorded decision: the earlier approver's, or the batch's.
    const trails = await Promise.all(tasks.map(({ proposalId }) => recordedDecisions(proposalId)));
    trails.forEach((trail, index) => {
      expect(trail.map((entry) => entry.actor.id)).toEqual([earlier.has(index) ? sekretaris.sub : villageHead.sub]);
    });
    // And the workflow moved on for each: to the district after an approval, to the outcome otherwise.
    await Promise.all(
      tasks.map(async ({ proposalId }, index) => {
        if (index === 57 || index === 120) return;
        await api.pendingTask(proposalId, 'district');
      }),
    );
    await expect(api.finished(tasks[57]!.executionArn)).resolves.toMatchObject({ status: 'SUCCEEDED' });
    await expect(api.finished(tasks[120]!.executionArn)).resolves.toMatchObject({ status: 'SUCCEEDED' });
    expect(await api.deps.store.getProposal(tasks[57]!.proposalId)).toMatchObject({ status: 'REJECTED' });
    expect(await api.deps.store.getProposal(tasks[120]!.proposalId)).toMatchObject({ status: 'RETURNED' });
  }, 180_000);

  it('reports each refused item on its own (not found, another tier or region, invalid) while the rest are decided', async () => {
    const [first, second, third] = await villageTasks(3);
    const [neighbours] = await villageTasks(1, '81.71.01.1007');
    const unknown = taskIdFor({ proposalId: '01JZZZZZZZZZZZZZZZZZZZZZZZ', version: 1, kind: 'approval', tier: 'village' });

    const response = await batch({
      decisions: [
        { taskId: first!.taskId, decision: 'reject' },
        { taskId: unknown, decision: 'approve' },
        { taskId: second!.taskId, decision: 'approve' },
        { taskId: neighbours!.taskId, decision: 'approve' },
        { taskId: third!.taskId, decision: 'uphold', reason: 'Sanggahan terbukti' },
      ],
    });

    expect(response.status).toBe(200);
    expect(response.body.items.map((item: any) => [item.outcome, item.error?.code])).toEqual([
      ['INVALID', 'VALIDATION_FAILED'],
      ['NOT_FOUND', 'TASK_NOT_FOUND'],
      ['DECIDED', undefined],
      ['FORBIDDEN', 'FORBIDDEN_REGION'],
      ['INVALID', 'DECISION_NOT_FOR_TASK'],
    ]);
    expect(response.body.items[0].error.details).toEqual([expect.objectContaining({ path: 'reason', code: 'REASON_REQUIRED' })]);
    expect(response.body.items[0].error.message).toBe('Ada isian yang tidak valid; lihat rinciannya.');
    for (const refused of [first!, neighbours!, third!]) {
      expect(await api.deps.store.getTask(refused.taskId)).toMatchObject({ status: 'PENDING' });
      expect(await recordedDecisions(refused.proposalId)).toEqual([]);
    }
    await api.pendingTask(second!.proposalId, 'district');

    const camat = await batch({ decisions: [{ taskId: first!.taskId, decision: 'approve' }] }, callers.approver('district', '81.71.01'));
    expect(camat.body.items).toEqual([expect.objectContaining({ outcome: 'FORBIDDEN', error: expect.objectContaining({ code: 'FORBIDDEN_TIER' }) })]);
    expect(await api.deps.store.getTask(first!.taskId)).toMatchObject({ status: 'PENDING' });
  }, 60_000);

  it('refuses a malformed batch as a whole (400 with the field): empty, over 200, a task twice, an unknown field', async () => {
    const id = (n: number) => `01JZZZZZZZZZZZZZZZZZZZZZZ${n % 10}-v1-village${n}`;
    const empty = await batch({ decisions: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details).toEqual([expect.objectContaining({ path: 'decisions', code: 'TOO_FEW_ITEMS' })]);

    const tooMany = await batch({ decisions: Array.from({ length: 201 }, (_, n) => ({ taskId: id(n), decision: 'approve' })) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details).toEqual([expect.objectContaining({ path: 'decisions', code: 'TOO_MANY_ITEMS' })]);

    const twice = await batch({ decisions: [{ taskId: id(1), decision: 'approve' }, { taskId: id(2), decision: 'approve' }, { taskId: id(1), decision: 'approve' }] });
    expect(twice.status).toBe(400);
    expect(twice.body.error.details).toEqual([expect.objectContaining({ path: 'decisions.2.taskId', code: 'DUPLICATE_ITEM' })]);

    const unknownField = await batch({ decisions: [{ taskId: id(1), decision: 'approve', note: 'x' }] });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.details).toEqual([expect.objectContaining({ path: 'decisions.0.note', code: 'UNKNOWN_FIELD' })]);

    const operator = await batch({ decisions: [{ taskId: id(1), decision: 'approve' }] }, callers.operator(VILLAGE) as never);
    expect(operator.status).toBe(403);
  });
});
