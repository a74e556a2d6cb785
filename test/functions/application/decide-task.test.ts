import { beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../../domain/decisions.ts';
import { ConflictError } from '../../../functions/adapters/records-store.ts';
import { decideTask, DecisionNotAllowed } from '../../../functions/application/decide-task.ts';
import { requestDecision } from '../../../functions/request-decision.ts';
import type { StageDeps } from '../../../functions/shared/runtime.ts';
import { stageDeps } from '../../support/stage-deps.ts';
import { inputOf, proposalAt, recordingWorkflow, serviceError } from '../support/stage-fixtures.ts';

const approver = { type: 'user' as const, id: 'kepala-desa-amahusu' };

describe('decideTask', () => {
  let deps: StageDeps;
  beforeAll(async () => {
    ({ deps } = await stageDeps());
  });

  /** A pending task of this kind, opened by the request-decision stage with token `token-1`. */
  async function pendingTask(kind: 'approval' | 'adjudication' = 'approval') {
    const proposal = await proposalAt(deps, kind === 'approval' ? 'PUBLIC_REVIEW' : 'ADJUDICATION', 'IN_REVIEW');
    const tier = kind === 'approval' ? 'village' : deps.config.adjudicationTier;
    const { taskId } = await requestDecision({ ...inputOf(proposal), kind, tier, taskToken: 'token-1' }, deps);
    return { proposal, taskId };
  }
  const decide = (
    workflow: ReturnType<typeof recordingWorkflow>['workflow'],
    taskId: string,
    decision: Decision,
    reason?: string,
    actor = approver,
  ) => decideTask({ store: deps.store, freezes: deps.freezes, workflow, now: deps.now }, { taskId, decision, ...(reason ? { reason } : {}), actor });

  it('records an approval once, audits it and resumes the workflow with the stored token', async () => {
    const { proposal, taskId } = await pendingTask();
    const { workflow, calls } = recordingWorkflow();

    const recorded = await decide(workflow, taskId, 'approve');

    expect(calls).toEqual([{ method: 'sendTaskSuccess', token: 'token-1', output: { taskId, decision: 'approve' } }]);
    expect(recorded).toMatchObject({ taskId, status: 'DECIDED', decision: { decision: 'approve', decidedBy: approver.id } });
    expect(recorded).not.toHaveProperty('token');
    expect(await deps.store.getTask(taskId)).toMatchObject({ status: 'DECIDED', decision: recorded.decision, token: 'token-1' });
    expect(await deps.store.pendingTasks('village', proposal.villageCode)).not.toContainEqual(expect.objectContaining({ taskId }));
    expect((await deps.store.auditTrail(proposal.id)).at(-1)).toMatchObject({
      action: 'DECISION_RECORDED',
      actor: approver,
      at: recorded.decision!.decidedAt,
      detail: { taskId, tier: 'village', decision: 'approve' },
    });
  });

  it.each([
    ['approval', 'reject', 'Verval.Rejected'],
    ['approval', 'return', 'Verval.Returned'],
    ['adjudication', 'uphold', 'Verval.Rejected'],
  ] as const)('sends a %s task decided "%s" as a failure named %s, with the task id as the only cause', async (kind, decision, error) => {
    const { proposal, taskId } = await pendingTask(kind);
    const { workflow, calls } = recordingWorkflow();

    await decide(workflow, taskId, decision, 'Alasan keputusan yang jelas');

    expect(calls).toEqual([{ method: 'sendTaskFailure', token: 'token-1', error, cause: JSON.stringify({ taskId }) }]);
    expect((await deps.store.auditTrail(proposal.id)).at(-1)?.detail).toMatchObject({ decision, reason: 'Alasan keputusan yang jelas' });
  });

  it('sends a dismissed objection on as a success', async () => {
    const { taskId } = await pendingTask('adjudication');
    const { workflow, calls } = recordingWorkflow();

    await decide(workflow, taskId, 'dismiss');

    expect(calls).toEqual([{ method: 'sendTaskSuccess', token: 'token-1', output: { taskId, decision: 'dismiss' } }]);
  });

  it("refuses a decision that does not fit the task's kind, and one for a task that does not exist", async () => {
    const approval = await pendingTask('approval');
    const adjudication = await pendingTask('adjudication');
    const { workflow, calls } = recordingWorkflow();

    await expect(decide(workflow, approval.taskId, 'uphold', 'Alasan yang cukup')).rejects.toMatchObject({ code: 'DECISION_NOT_FOR_TASK' });
    await expect(decide(workflow, adjudication.taskId, 'approve')).rejects.toBeInstanceOf(DecisionNotAllowed);
    await expect(decide(workflow, `${approval.proposal.id}-v1-regent`, 'approve')).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });

    expect(calls).toEqual([]);
    expect(await deps.store.getTask(approval.taskId)).toMatchObject({ status: 'PENDING' });
    expect(await deps.store.getTask(approval.taskId)).not.toHaveProperty('decision');
  });

  it('refuses a second decision with TASK_ALREADY_DECIDED and keeps the first', async () => {
    const { taskId } = await pendingTask();
    const { workflow, calls } = recordingWorkflow();
    await decide(workflow, taskId, 'approve');

    const second = await decide(workflow, taskId, 'reject', 'Berubah pikiran', { type: 'user', id: 'camat' }).catch((error: unknown) => error);

    expect(second).toBeInstanceOf(ConflictError);
    expect(second).toMatchObject({ code: 'TASK_ALREADY_DECIDED' });
    expect(calls).toHaveLength(1);
    expect((await deps.store.getTask(taskId))?.decision).toMatchObject({ decision: 'approve', decidedBy: approver.id });
  });

  it('lets exactly one of 20 concurrent decisions on one task be recorded and reach the workflow', async () => {
    const { proposal, taskId } = await pendingTask();
    const { workflow, calls } = recordingWorkflow();

    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        decide(workflow, taskId, i % 2 ? 'approve' : 'reject', i % 2 ? undefined : 'Tidak layak menerima', { type: 'user', id: `approver-${i}` }),
      ),
    );

    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ name: 'ConflictError', code: 'TASK_ALREADY_DECIDED' });
    }
    expect(calls).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof decide>>>).value;
    expect((await deps.store.getTask(taskId))?.decision).toEqual(winner.decision);
    const recorded = (await deps.store.auditTrail(proposal.id)).filter((entry) => entry.action === 'DECISION_RECORDED');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.actor.id).toBe(winner.decision!.decidedBy);
  });

  it('keeps a decision whose token lapsed without waiting, and the re-ask of the workflow sends it with the new token', async () => {
    const { proposal, taskId } = await pendingTask();
    const { workflow, calls, failNext } = recordingWorkflow();
    failNext(serviceError('TaskTimedOut', 'Task Timed Out'));

    const recorded = await decide(workflow, taskId, 'reject', 'Rumah permanen dan bertingkat');

    expect(recorded).toMatchObject({ status: 'DECIDED', decision: { decision: 'reject' } });
    const cause = JSON.stringify({ taskId });
    expect(calls).toEqual([{ method: 'sendTaskFailure', token: 'token-1', error: 'Verval.Rejected', cause, failed: true }]);
    // However late the workflow asks again, the recorded decision goes with the new token.
    await expect(
      requestDecision({ ...inputOf(proposal), kind: 'approval', tier: 'village', taskToken: 'token-2' }, { ...deps, workflow }),
    ).resolves.toMatchObject({ outcome: 'redelivered' });
    expect(calls.at(-1)).toEqual({ method: 'sendTaskFailure', token: 'token-2', error: 'Verval.Rejected', cause });
    expect(await deps.store.getTask(taskId)).toMatchObject({ status: 'DECIDED', decision: { decision: 'reject' }, token: 'token-2' });
  });

  it('tries a throttled send again with the same token', async () => {
    const { taskId } = await pendingTask();
    const { workflow, calls, failNext } = recordingWorkflow();
    failNext(Object.assign(serviceError('ThrottlingException'), { $retryable: { throttling: true } }));

    await decide(workflow, taskId, 'approve');

    expect(calls).toEqual([
      { method: 'sendTaskSuccess', token: 'token-1', output: { taskId, decision: 'approve' }, failed: true },
      { method: 'sendTaskSuccess', token: 'token-1', output: { taskId, decision: 'approve' } },
    ]);
  });

  it('passes any other workflow error straight to the caller without sending again', async () => {
    const { taskId } = await pendingTask();
    const { workflow, calls, failNext } = recordingWorkflow();
    failNext(serviceError('InvalidOutput'));

    await expect(decide(workflow, taskId, 'approve')).rejects.toMatchObject({ name: 'InvalidOutput' });

    expect(calls).toHaveLength(1);
  });
});
