import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeExecutionCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { decideTask } from '../../../functions/application/decide-task.ts';
import { localClients, type LocalClients } from '../../../local/clients.ts';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime.ts';
import { approve, CONFIG_OVERRIDES, eventually, pendingTask, submitGoodProposal, tempDataDir, TIME_SCALE } from './support.ts';

/**
 * A stop and start of the local stack in the middle of an approval: the state in dataDir (DynamoDB Local's
 * files, the S3 store, the execution store) carries the proposal on, and the task token the first run stored
 * is still the one that resumes the workflow.
 */
describe('local runtime: restart while a proposal waits for approval', () => {
  const dataDir = tempDataDir();
  const options = { dataDir, timeScale: TIME_SCALE, configOverrides: CONFIG_OVERRIDES };
  let runtime: LocalRuntime | undefined;
  let clients: LocalClients | undefined;

  afterAll(async () => {
    clients?.destroy();
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes the execution on the same data directory, and the stored token still decides the task', async () => {
    runtime = await startLocalRuntime(options);
    clients = localClients(runtime.endpoints);
    const { proposalId, executionArn } = await submitGoodProposal(clients, runtime.endpoints.evidenceBucket, 300);
    await approve(clients, proposalId, 'village');
    const waiting = await pendingTask(clients, proposalId, 'district');
    const auditBefore = await clients.store.auditTrail(proposalId);

    clients.destroy();
    await runtime.close();
    runtime = undefined;

    runtime = await startLocalRuntime(options);
    clients = localClients(runtime.endpoints);
    expect(runtime.resumed).toEqual([executionArn]);

    // The waiting task was not asked for again: same token, no new TASK_OPENED, nothing else re-run.
    const stored = await clients.store.getTask(waiting.taskId);
    expect(stored).toMatchObject({ status: 'PENDING', token: waiting.token, escalations: 0 });
    await decideTask(
      { store: clients.store, freezes: clients.freezes, workflow: clients.workflow, now: clients.now },
      { taskId: waiting.taskId, decision: 'approve', actor: { type: 'user', id: 'approver-district' } },
    );
    await approve(clients, proposalId, 'regency');
    await approve(clients, proposalId, 'regent');

    const execution = await eventually('the execution to finish', async () => {
      const described = await clients!.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return described.status === 'RUNNING' ? undefined : described;
    });
    expect(execution.status).toBe('SUCCEEDED');
    expect(await clients.store.getProposal(proposalId)).toMatchObject({ status: 'REGISTERED' });

    const auditAfter = await clients.store.auditTrail(proposalId);
    const key = (entry: { action: string; detail?: Record<string, unknown> }) => `${entry.action} ${String(entry.detail?.tier ?? '')}`;
    // Everything recorded before the restart is there once, and no stage that had completed wrote again.
    expect(auditAfter.slice(0, auditBefore.length)).toEqual(auditBefore);
    const keys = auditAfter.map(key);
    expect(keys.filter((k) => k === 'VALIDATION_PASSED ')).toHaveLength(1);
    expect(keys.filter((k) => k.startsWith('TASK_OPENED district'))).toHaveLength(1);
    expect(keys.filter((k) => k.startsWith('DECISION_RECORDED village'))).toHaveLength(1);
    expect(new Set(keys).size).toBe(keys.length);

    const { events } = await clients.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const entered = events!.flatMap((event) => (event.type?.endsWith('StateEntered') ? [event.stateEnteredEventDetails!.name] : []));
    expect(new Set(entered).size).toBe(entered.length);
    expect(entered).toContain('Approval by district');
    // Every task was scheduled once: the waiting one was not invoked again after the restart.
    const count = (type: string) => events!.filter((event) => event.type === type).length;
    expect(count('TaskScheduled')).toBe(count('TaskStateEntered'));
  }, 240_000);
});

describe('local runtime kept in memory (the bench’s fresh stacks)', () => {
  const dataDir = tempDataDir();
  const options = { dataDir, timeScale: TIME_SCALE, configOverrides: CONFIG_OVERRIDES, inMemory: true };

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('runs a proposal without writing tables or executions to disk, and a restart starts empty', async () => {
    let runtime = await startLocalRuntime(options);
    let clients = localClients(runtime.endpoints);
    let proposalId: string;
    try {
      ({ proposalId } = await submitGoodProposal(clients, runtime.endpoints.evidenceBucket, 301));
      await approve(clients, proposalId, 'village');
      expect(await clients.store.getProposal(proposalId)).toMatchObject({ status: 'AWAITING_APPROVAL' });
      expect(existsSync(join(dataDir, 'dynamodb'))).toBe(false);
      expect(existsSync(join(dataDir, 'stepfunctions'))).toBe(false);
    } finally {
      clients.destroy();
      await runtime.close();
    }

    runtime = await startLocalRuntime(options);
    clients = localClients(runtime.endpoints);
    try {
      expect(runtime.resumed).toEqual([]);
      expect(await clients.store.getProposal(proposalId)).toBeUndefined();
    } finally {
      clients.destroy();
      await runtime.close();
    }
  }, 240_000);
});
