import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MACHINE_ARN,
  eventTypes,
  fakeFunction,
  historyOf,
  lambdaTask,
  namedError,
  newHost,
  run,
  tempDir,
  tokenInbox,
  tokenTask,
  until,
} from './fixtures.ts';
import type { StateMachineHostOptions } from '../../../local/stepfunctions/host.ts';

const approval = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: 'ready', ResultPath: '$.prepared', Next: 'Approve' },
    Approve: tokenTask({ TimeoutSeconds: 86_400, ResultPath: '$.decision', Next: 'Done' }),
    Done: { Type: 'Succeed' },
  },
};

/** A host on `dataDir` with the definition created, as a restarted local runtime would set itself up. */
async function hostOn(dataDir: string, definition: object, options: Omit<StateMachineHostOptions, 'dataDir'>) {
  const host = newHost({ ...options, dataDir });
  await host.createStateMachine({ arn: MACHINE_ARN, definition });
  return host;
}

describe('StateMachineHost: persistence across restarts', () => {
  it('keeps the original task token valid after a restart and does not invoke the function again', async () => {
    const dataDir = tempDir();
    const inbox = tokenInbox();
    const fn = fakeFunction(inbox.receive);
    const first = await hostOn(dataDir, approval, { invokeFunction: fn.invokeFunction });
    const arn = await run(first, { proposalId: 'p-9' }, 'p-9-v1');
    const token = await inbox.next();
    await until('TaskSubmitted', async () => (await eventTypes(first, arn)).includes('TaskSubmitted'));
    await first.close();

    const second = await hostOn(dataDir, approval, { invokeFunction: fn.invokeFunction });
    expect((await second.describeExecution(arn)).status).toBe('RUNNING');
    expect(await second.resumeExecutions()).toEqual({ resumed: [arn], skipped: [] });
    await second.sendTaskSuccess({ taskToken: token, output: '{"approved":true}' });
    const done = await second.waitForExecution(arn, { timeoutMs: 5000 });

    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ proposalId: 'p-9', prepared: 'ready', decision: { approved: true } });
    expect(fn.calls).toHaveLength(1);
    const history = await historyOf(second, arn);
    expect(history.map((event) => event.id)).toEqual(history.map((_, i) => i + 1));
    expect(history.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('keeps only the remaining task timeout after a restart', async () => {
    const dataDir = tempDir();
    const inbox = tokenInbox();
    const definition = { StartAt: 'Approve', States: { Approve: tokenTask({ TimeoutSeconds: 600, End: true }) } };
    const options = { invokeFunction: fakeFunction(inbox.receive).invokeFunction, timeScale: 1 / 1000 };
    const first = await hostOn(dataDir, definition, options);
    const started = Date.now();
    const arn = await run(first);
    await inbox.next();
    await first.close();
    await new Promise((resolve) => setTimeout(resolve, 300));

    const second = await hostOn(dataDir, definition, options);
    const resumedAt = Date.now();
    await second.resumeExecutions();
    const done = await second.waitForExecution(arn, { timeoutMs: 5000 });

    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
    // A fresh 600 ms would end no earlier than 600 ms after the resume.
    expect(Date.now() - resumedAt).toBeLessThan(550);
  });

  it('resumes a Wait with the time that remained', async () => {
    const dataDir = tempDir();
    const definition = { StartAt: 'Review period', States: { 'Review period': { Type: 'Wait', Seconds: 700, Next: 'Done' }, Done: { Type: 'Succeed' } } };
    const options = { invokeFunction: fakeFunction().invokeFunction, timeScale: 1 / 1000 };
    const first = await hostOn(dataDir, definition, options);
    const started = Date.now();
    const arn = await run(first, { id: 'w' });
    await until('WaitStateEntered', async () => (await eventTypes(first, arn)).includes('WaitStateEntered'));
    await first.close();
    await new Promise((resolve) => setTimeout(resolve, 300));

    const second = await hostOn(dataDir, definition, options);
    const resumedAt = Date.now();
    await second.resumeExecutions();
    const done = await second.waitForExecution(arn, { timeoutMs: 5000 });

    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ id: 'w' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(690);
    expect(Date.now() - resumedAt).toBeLessThan(650);
    expect((await eventTypes(second, arn)).filter((type) => type === 'WaitStateEntered')).toHaveLength(1);
  });

  it('re-runs a Lambda task that was in flight when the host stopped', async () => {
    const dataDir = tempDir();
    const definition = { StartAt: 'Check', States: { Check: lambdaTask({ OutputPath: '$.Payload', End: true }) } };
    const hung = fakeFunction(() => new Promise(() => undefined));
    const first = await hostOn(dataDir, definition, { invokeFunction: hung.invokeFunction });
    const arn = await run(first, { id: 'mid' });
    await until('first invocation', () => hung.calls.length === 1);
    await first.close();

    const working = fakeFunction((payload) => ({ checked: payload.input.id }));
    const second = await hostOn(dataDir, definition, { invokeFunction: working.invokeFunction });
    await second.resumeExecutions();
    const done = await second.waitForExecution(arn, { timeoutMs: 5000 });

    expect(JSON.parse(done.output!)).toEqual({ checked: 'mid' });
    expect(working.calls).toHaveLength(1);
  });

  it('counts retry attempts made before the restart against MaxAttempts', async () => {
    const dataDir = tempDir();
    const definition = {
      StartAt: 'Check',
      States: {
        Check: lambdaTask({
          Retry: [{ ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 200, BackoffRate: 1, MaxAttempts: 2 }],
          End: true,
        }),
      },
    };
    const failing = () => {
      throw namedError('Lambda.ServiceException');
    };
    const before = fakeFunction(failing);
    const first = await hostOn(dataDir, definition, { invokeFunction: before.invokeFunction, timeScale: 1 / 1000 });
    const arn = await run(first);
    await until('first failure', async () => (await eventTypes(first, arn)).includes('TaskFailed'));
    await first.close();

    const after = fakeFunction(failing);
    const second = await hostOn(dataDir, definition, { invokeFunction: after.invokeFunction, timeScale: 1 / 1000 });
    await second.resumeExecutions();
    const done = await second.waitForExecution(arn, { timeoutMs: 5000 });

    expect(done).toMatchObject({ status: 'FAILED', error: 'Lambda.ServiceException' });
    expect(before.calls.length + after.calls.length).toBe(3);
  });

  it('delivers the same token again when the host stopped before the function returned', async () => {
    const dataDir = tempDir();
    const inbox = tokenInbox();
    const slow = fakeFunction((payload) => {
      inbox.receive(payload);
      return new Promise(() => undefined);
    });
    const first = await hostOn(dataDir, approval, { invokeFunction: slow.invokeFunction });
    const arn = await run(first);
    const token = await inbox.next();
    await first.close();

    const second = await hostOn(dataDir, approval, { invokeFunction: fakeFunction(inbox.receive).invokeFunction });
    await second.resumeExecutions();
    expect(await inbox.next(2)).toBe(token);
    await second.sendTaskSuccess({ taskToken: token, output: '"ok"' });

    expect((await second.waitForExecution(arn, { timeoutMs: 5000 })).status).toBe('SUCCEEDED');
  });

  it('accepts the token before resumeExecutions and applies it once the execution resumes', async () => {
    const dataDir = tempDir();
    const inbox = tokenInbox();
    const fn = fakeFunction(inbox.receive);
    const first = await hostOn(dataDir, approval, { invokeFunction: fn.invokeFunction });
    const arn = await run(first);
    const token = await inbox.next();
    await first.close();

    const second = await hostOn(dataDir, approval, { invokeFunction: fn.invokeFunction });
    await second.sendTaskSuccess({ taskToken: token, output: '"early"' });
    await expect(second.sendTaskSuccess({ taskToken: token, output: '"again"' })).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    await second.resumeExecutions();
    const done = await second.waitForExecution(arn, { timeoutMs: 5000 });

    expect(JSON.parse(done.output!).decision).toBe('early');
    expect(fn.calls).toHaveLength(1);
  });

  it('remembers finished executions, their names and their spent tokens', async () => {
    const dataDir = tempDir();
    const inbox = tokenInbox();
    const fn = fakeFunction(inbox.receive);
    const first = await hostOn(dataDir, approval, { invokeFunction: fn.invokeFunction });
    const arn = await run(first, { id: 1 }, 'once');
    const token = await inbox.next();
    await first.sendTaskSuccess({ taskToken: token, output: '{}' });
    await first.waitForExecution(arn, { timeoutMs: 5000 });
    await first.close();

    const second = await hostOn(dataDir, approval, { invokeFunction: fn.invokeFunction });
    expect((await second.describeExecution(arn)).status).toBe('SUCCEEDED');
    expect(await second.resumeExecutions()).toEqual({ resumed: [], skipped: [] });
    await expect(second.sendTaskSuccess({ taskToken: token, output: '{}' })).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    await expect(run(second, { id: 1 }, 'once')).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('returns the running execution for a duplicate start after a restart', async () => {
    const dataDir = tempDir();
    const inbox = tokenInbox();
    const fn = fakeFunction(inbox.receive);
    const first = await hostOn(dataDir, approval, { invokeFunction: fn.invokeFunction });
    const started = await first.startExecution({ stateMachineArn: MACHINE_ARN, name: 'p-1-v1', input: '{"id":1}' });
    await inbox.next();
    await first.close();

    const second = await hostOn(dataDir, approval, { invokeFunction: fn.invokeFunction });
    await second.resumeExecutions();
    const again = await second.startExecution({ stateMachineArn: MACHINE_ARN, name: 'p-1-v1', input: '{"id":1}' });

    expect(again).toEqual(started);
    expect(fn.calls).toHaveLength(1);
  });

  it('leaves executions of state machines not created on the new host for later', async () => {
    const dataDir = tempDir();
    const inbox = tokenInbox();
    const first = await hostOn(dataDir, approval, { invokeFunction: fakeFunction(inbox.receive).invokeFunction });
    const arn = await run(first);
    await inbox.next();
    await first.close();

    const second = newHost({ dataDir, invokeFunction: fakeFunction().invokeFunction });
    expect(await second.resumeExecutions()).toEqual({ resumed: [], skipped: [arn] });
    expect((await second.describeExecution(arn)).status).toBe('RUNNING');
  });

  it('rejects calls on a closed host without changing execution status on disk', async () => {
    const dataDir = tempDir();
    const inbox = tokenInbox();
    const first = await hostOn(dataDir, approval, { invokeFunction: fakeFunction(inbox.receive).invokeFunction });
    const arn = await run(first);
    const token = await inbox.next();
    await first.close();

    await expect(first.sendTaskSuccess({ taskToken: token, output: '{}' })).rejects.toMatchObject({ name: 'HostClosed' });
    const reopened = newHost({ dataDir, invokeFunction: fakeFunction().invokeFunction });
    expect((await reopened.describeExecution(arn)).status).toBe('RUNNING');
    expect(readdirSync(join(dataDir, 'executions')).filter((file) => file.endsWith('.tmp'))).toEqual([]);
  });
});
