import { beforeAll, describe, expect, it } from 'vitest';
import { tierRegionCode } from '../../domain/province-config.ts';
import type { TaskCallbacks } from '../../functions/application/workflow-engine.ts';
import { requestDecision } from '../../functions/request-decision.ts';
import { DAY_MS, type StageDeps } from '../../functions/shared/runtime.ts';
import { stageDeps } from '../support/stage-deps.ts';
import { proposalAt, recordingWorkflow } from './support/stage-fixtures.ts';

const START = new Date('2025-06-02T03:00:00.000Z');
const daysAfter = (from: Date, days: number) => new Date(from.getTime() + days * DAY_MS);

describe('requestDecision', () => {
  let deps: StageDeps;
  let clock: { pinned?: Date };
  beforeAll(async () => {
    ({ deps, clock } = await stageDeps());
  });

  /** A proposal whose public review closed without objections. */
  async function reviewed() {
    clock.pinned = START;
    return proposalAt(deps, 'PUBLIC_REVIEW', 'IN_REVIEW');
  }
  const ask = (proposalId: string, tier: 'village' | 'district' | 'regency' | 'regent', taskToken: string, kind: 'approval' | 'adjudication' = 'approval') =>
    requestDecision({ proposalId, version: 1, kind, tier, taskToken }, deps);
  /** The village tier asked again, with a workflow the test watches. */
  const askWith = (workflow: TaskCallbacks, proposalId: string, taskToken: string) =>
    requestDecision({ proposalId, version: 1, kind: 'approval', tier: 'village', taskToken }, { ...deps, workflow });

  it("opens the task in the tier's inbox, due after the tier's SLA, and puts the proposal in approval at that tier", async () => {
    const proposal = await reviewed();

    await expect(ask(proposal.id, 'village', 'token-1')).resolves.toEqual({ taskId: `${proposal.id}-v1-village`, outcome: 'opened' });

    const dueAt = daysAfter(START, 5).toISOString();
    const inbox = await deps.store.pendingTasks('village', tierRegionCode('village', proposal.villageCode));
    expect(inbox).toEqual([
      {
        taskId: `${proposal.id}-v1-village`,
        proposalId: proposal.id,
        version: 1,
        kind: 'approval',
        tier: 'village',
        regionCode: '81.71.01.1006',
        villageCode: '81.71.01.1006',
        createdAt: START.toISOString(),
        dueAt,
        escalations: 0,
        status: 'PENDING',
      },
    ]);
    expect((await deps.store.getTask(`${proposal.id}-v1-village`))?.token).toBe('token-1');
    expect(await deps.store.getProposal(proposal.id)).toMatchObject({ status: 'AWAITING_APPROVAL', stage: 'APPROVAL', tier: 'village' });
    // Setup and stage share the pinned instant, so find the entry by its action rather than its position.
    const entries = (await deps.store.auditTrail(proposal.id)).filter((entry) => entry.action === 'TASK_OPENED');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'TASK_OPENED',
      from: { status: 'IN_REVIEW', stage: 'PUBLIC_REVIEW' },
      to: { status: 'AWAITING_APPROVAL', stage: 'APPROVAL' },
      detail: { taskId: `${proposal.id}-v1-village`, kind: 'approval', tier: 'village', dueAt },
    });
  });

  it("files higher tiers under their own region and SLA", async () => {
    const proposal = await reviewed();
    await ask(proposal.id, 'village', 'token-v');
    await ask(proposal.id, 'district', 'token-d');
    await ask(proposal.id, 'regency', 'token-r');

    const district = await deps.store.pendingTasks('district', '81.71.01');
    expect(district.find((task) => task.proposalId === proposal.id)?.dueAt).toBe(daysAfter(START, 5).toISOString());
    const regency = await deps.store.pendingTasks('regency', '81.71');
    expect(regency.find((task) => task.proposalId === proposal.id)?.dueAt).toBe(daysAfter(START, 10).toISOString());
    expect(await deps.store.pendingTasks('regency', '81.71.01')).toEqual([]);
    expect((await deps.store.getProposal(proposal.id))?.tier).toBe('regency');
  });

  it('changes nothing when asked again with the same token', async () => {
    const proposal = await reviewed();
    await ask(proposal.id, 'village', 'token-1');
    const task = await deps.store.getTask(`${proposal.id}-v1-village`);
    const stored = await deps.store.getProposal(proposal.id);
    const audit = await deps.store.auditTrail(proposal.id);
    clock.pinned = daysAfter(START, 1);

    await expect(ask(proposal.id, 'village', 'token-1')).resolves.toMatchObject({ outcome: 'unchanged' });

    expect(await deps.store.getTask(`${proposal.id}-v1-village`)).toEqual(task);
    expect(await deps.store.getProposal(proposal.id)).toEqual(stored);
    expect(await deps.store.auditTrail(proposal.id)).toHaveLength(audit.length);
  });

  it('escalates the task to the supervising tier when asked again with a new token', async () => {
    const proposal = await reviewed();
    await ask(proposal.id, 'village', 'token-1');
    const lapsed = daysAfter(START, 5);
    clock.pinned = lapsed;

    await expect(ask(proposal.id, 'village', 'token-2')).resolves.toMatchObject({ outcome: 'escalated' });

    const dueAt = daysAfter(lapsed, 5).toISOString();
    const task = await deps.store.getTask(`${proposal.id}-v1-village`);
    expect(task).toMatchObject({
      status: 'PENDING',
      escalations: 1,
      overdue: true,
      escalatedTo: 'district',
      lastEscalatedAt: lapsed.toISOString(),
      dueAt,
      token: 'token-2',
      createdAt: START.toISOString(),
    });
    const inbox = await deps.store.pendingTasks('village', proposal.villageCode);
    expect(inbox.find((entry) => entry.proposalId === proposal.id)?.dueAt).toBe(dueAt);
    expect(await deps.store.getProposal(proposal.id)).toMatchObject({ status: 'AWAITING_APPROVAL', stage: 'APPROVAL', tier: 'village' });
    expect((await deps.store.auditTrail(proposal.id)).at(-1)).toMatchObject({
      action: 'TASK_ESCALATED',
      detail: { taskId: `${proposal.id}-v1-village`, tier: 'village', escalations: 1, escalatedTo: 'district', dueAt },
    });

    clock.pinned = daysAfter(lapsed, 5);
    await ask(proposal.id, 'village', 'token-3');
    expect(await deps.store.getTask(`${proposal.id}-v1-village`)).toMatchObject({ escalations: 2, token: 'token-3' });
  });

  it('sends the decision of a task decided as its SLA lapsed with the new token, and keeps it', async () => {
    const proposal = await reviewed();
    await ask(proposal.id, 'village', 'token-1');
    const decision = { decision: 'reject' as const, reason: 'Rumah permanen', decidedBy: 'kepala-desa', decidedAt: START.toISOString() };
    await deps.store.recordDecision(`${proposal.id}-v1-village`, decision);
    const audit = await deps.store.auditTrail(proposal.id);
    clock.pinned = daysAfter(START, 5);
    const { workflow, calls } = recordingWorkflow();

    await expect(askWith(workflow, proposal.id, 'token-2')).resolves.toMatchObject({ outcome: 'redelivered' });

    const taskId = `${proposal.id}-v1-village`;
    expect(calls).toEqual([{ method: 'sendTaskFailure', token: 'token-2', error: 'Verval.Rejected', cause: JSON.stringify({ taskId }) }]);
    expect(await deps.store.getTask(taskId)).toMatchObject({ status: 'DECIDED', decision, escalations: 0, token: 'token-2' });
    expect(await deps.store.pendingTasks('village', proposal.villageCode)).not.toContainEqual(
      expect.objectContaining({ proposalId: proposal.id }),
    );
    expect(await deps.store.auditTrail(proposal.id)).toHaveLength(audit.length);
  });

  it('stores the new token of a decision held by a freeze that has ended, and leaves sending it to the release', async () => {
    const proposal = await reviewed();
    await ask(proposal.id, 'village', 'token-1');
    const taskId = `${proposal.id}-v1-village`;
    const decision = { decision: 'approve' as const, decidedBy: 'kepala-desa', decidedAt: START.toISOString() };
    await deps.freezes.holdDecision(taskId, decision, { freezeId: 'freeze-ended', endsAt: daysAfter(START, 1).toISOString() }, { type: 'user', id: 'kepala-desa' });
    clock.pinned = daysAfter(START, 5);
    const { workflow, calls } = recordingWorkflow();

    await expect(askWith(workflow, proposal.id, 'token-2')).resolves.toMatchObject({ outcome: 'redelivered' });

    expect(calls).toEqual([]);
    expect(await deps.store.getTask(taskId)).toMatchObject({ status: 'HELD', decision, escalations: 0, token: 'token-2' });
  });

  it('opens an adjudication task for the objections and keeps the proposal in review', async () => {
    clock.pinned = START;
    const proposal = await proposalAt(deps, 'ADJUDICATION', 'IN_REVIEW');

    await expect(ask(proposal.id, 'district', 'token-a', 'adjudication')).resolves.toEqual({
      taskId: `${proposal.id}-v1-objections`,
      outcome: 'opened',
    });

    expect(await deps.store.getTask(`${proposal.id}-v1-objections`)).toMatchObject({ kind: 'adjudication', tier: 'district', regionCode: '81.71.01' });
    expect(await deps.store.getProposal(proposal.id)).toMatchObject({ status: 'IN_REVIEW', stage: 'ADJUDICATION', tier: 'district' });
  });
});
