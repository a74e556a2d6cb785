import { describe, expect, it } from 'vitest';
import { StateMachineHost } from '../../../local/stepfunctions/host.ts';
import { isCollected } from '../../support/garbage.ts';
import { eventTypes, fakeFunction, historyOf, hostWith, newHost, run, tokenInbox, tokenTask, until, MACHINE_ARN } from './fixtures.ts';

const FAST = 1 / 1000;

const approval = {
  StartAt: 'Approve',
  States: {
    Approve: tokenTask({
      ResultPath: '$.decision',
      Catch: [{ ErrorEquals: ['Verval.Rejected'], ResultPath: '$.rejection', Next: 'Rejected' }],
      Next: 'Approved',
    }),
    Approved: { Type: 'Succeed' },
    Rejected: { Type: 'Fail', Error: 'Verval.ProposalRejected', Cause: 'rejected by approver' },
  },
};

describe('StateMachineHost: waitForTaskToken', () => {
  it('passes a real token to the function and resumes with the SendTaskSuccess output', async () => {
    const inbox = tokenInbox();
    const fn = fakeFunction(inbox.receive);
    const host = await hostWith(approval, { invokeFunction: fn.invokeFunction });
    const arn = await run(host, { proposalId: 'p-1' });
    const token = await inbox.next();

    expect(token.length).toBeGreaterThanOrEqual(200);
    expect(token).not.toMatch(/sentinel/);
    expect(fn.calls[0]!.payload).toEqual({ taskToken: token, input: { proposalId: 'p-1' } });
    expect((await host.describeExecution(arn)).status).toBe('RUNNING');

    await host.sendTaskSuccess({ taskToken: token, output: JSON.stringify({ approvedBy: 'kepala-desa' }) });
    const done = await host.waitForExecution(arn, { timeoutMs: 5000 });

    expect(JSON.parse(done.output!)).toEqual({ proposalId: 'p-1', decision: { approvedBy: 'kepala-desa' } });
    const history = await historyOf(host, arn);
    expect(history.slice(1, 7).map((event) => event.type)).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
    expect(history[2]!.taskScheduledEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke.waitForTaskToken' });
    expect(JSON.parse((history[4]!.taskSubmittedEventDetails as { output: string }).output)).toMatchObject({
      StatusCode: 200,
      Payload: { received: true },
    });
    expect(history[5]!.taskSucceededEventDetails).toMatchObject({ output: '{"approvedBy":"kepala-desa"}' });
  });

  it('routes SendTaskFailure with error Verval.Rejected to the Catch naming it', async () => {
    const inbox = tokenInbox();
    const host = await hostWith(approval, { invokeFunction: fakeFunction(inbox.receive).invokeFunction });
    const arn = await run(host, { proposalId: 'p-2' });

    await host.sendTaskFailure({ taskToken: await inbox.next(), error: 'Verval.Rejected', cause: 'duplicate household' });
    const done = await host.waitForExecution(arn, { timeoutMs: 5000 });

    expect(done).toMatchObject({ status: 'FAILED', error: 'Verval.ProposalRejected' });
    const history = await historyOf(host, arn);
    expect(history.find((event) => event.type === 'TaskFailed')!.taskFailedEventDetails).toMatchObject({
      error: 'Verval.Rejected',
      cause: 'duplicate household',
    });
    const failState = history.find((event) => event.type === 'FailStateEntered')!;
    expect(JSON.parse((failState.stateEnteredEventDetails as { input: string }).input)).toEqual({
      proposalId: 'p-2',
      rejection: { Error: 'Verval.Rejected', Cause: 'duplicate household' },
    });
  });

  it('accepts a token answered by the function itself before it returns', async () => {
    let host!: Awaited<ReturnType<typeof hostWith>>;
    const fn = fakeFunction(async (payload) => {
      await host.sendTaskSuccess({ taskToken: payload.taskToken, output: '"early"' });
      return {};
    });
    host = await hostWith(approval, { invokeFunction: fn.invokeFunction });
    const done = await host.waitForExecution(await run(host, {}), { timeoutMs: 5000 });

    expect(JSON.parse(done.output!)).toEqual({ decision: 'early' });
  });

  it('mints a different token for every task and every attempt', async () => {
    const inbox = tokenInbox();
    const host = await hostWith(
      {
        StartAt: 'First',
        States: {
          First: tokenTask({ ResultPath: null, Next: 'Second' }),
          Second: tokenTask({ ResultPath: null, End: true }),
        },
      },
      { invokeFunction: fakeFunction(inbox.receive).invokeFunction },
    );
    const one = await run(host, {}, 'one');
    const two = await run(host, {}, 'two');
    await host.sendTaskSuccess({ taskToken: await inbox.next(1), output: '{}' });
    await host.sendTaskSuccess({ taskToken: await inbox.next(2), output: '{}' });
    await host.sendTaskSuccess({ taskToken: await inbox.next(3), output: '{}' });
    await host.sendTaskSuccess({ taskToken: await inbox.next(4), output: '{}' });
    await host.waitForExecution(one, { timeoutMs: 5000 });
    await host.waitForExecution(two, { timeoutMs: 5000 });

    expect(new Set(inbox.tokens).size).toBe(4);
  });

  it('answers a reused token with TaskDoesNotExist and a garbled one with InvalidToken', async () => {
    const inbox = tokenInbox();
    const host = await hostWith(approval, { invokeFunction: fakeFunction(inbox.receive).invokeFunction });
    const arn = await run(host);
    const token = await inbox.next();

    await expect(host.sendTaskSuccess({ taskToken: 'not-a-token', output: '{}' })).rejects.toMatchObject({ name: 'InvalidToken' });
    await expect(host.sendTaskSuccess({ taskToken: token.slice(0, -4), output: '{}' })).rejects.toMatchObject({
      name: 'InvalidToken',
    });
    await expect(host.sendTaskSuccess({ taskToken: token, output: '{oops' })).rejects.toMatchObject({ name: 'InvalidOutput' });
    await host.sendTaskSuccess({ taskToken: token, output: '{}' });
    await host.waitForExecution(arn, { timeoutMs: 5000 });

    await expect(host.sendTaskSuccess({ taskToken: token, output: '{}' })).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    await expect(host.sendTaskFailure({ taskToken: token, error: 'X' })).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    await expect(host.sendTaskHeartbeat({ taskToken: token })).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
  });

  it('times the task out after TimeoutSeconds (scaled) and then answers TaskTimedOut', async () => {
    const inbox = tokenInbox();
    const host = await hostWith(
      { StartAt: 'Approve', States: { Approve: tokenTask({ TimeoutSeconds: 50, End: true }) } },
      { invokeFunction: fakeFunction(inbox.receive).invokeFunction, timeScale: FAST },
    );
    const arn = await run(host);
    const token = await inbox.next();
    const done = await host.waitForExecution(arn, { timeoutMs: 5000 });

    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(await eventTypes(host, arn)).toContain('TaskTimedOut');
    await expect(host.sendTaskSuccess({ taskToken: token, output: '{}' })).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('retries a timed-out task with a new token each time, then Catch routes to a failure state', async () => {
    const inbox = tokenInbox();
    const fn = fakeFunction(inbox.receive);
    const host = await hostWith(
      {
        StartAt: 'Approve',
        States: {
          Approve: tokenTask({
            TimeoutSeconds: 30,
            Retry: [{ ErrorEquals: ['States.Timeout'], MaxAttempts: 2, IntervalSeconds: 1, BackoffRate: 1 }],
            Catch: [
              { ErrorEquals: ['States.TaskFailed'], Next: 'WrongCatch' },
              { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'Escalation exhausted' },
            ],
            End: true,
          }),
          WrongCatch: { Type: 'Fail', Error: 'Verval.WrongCatch' },
          'Escalation exhausted': { Type: 'Fail', Error: 'Verval.SlaLapsed', Cause: 'no decision after escalations' },
        },
      },
      { invokeFunction: fn.invokeFunction, timeScale: FAST },
    );
    const arn = await run(host);
    const done = await host.waitForExecution(arn, { timeoutMs: 5000 });

    expect(fn.calls).toHaveLength(3);
    expect(new Set(inbox.tokens).size).toBe(3);
    expect(done).toMatchObject({ status: 'FAILED', error: 'Verval.SlaLapsed' });
    const types = await eventTypes(host, arn);
    expect(types.filter((type) => type === 'TaskTimedOut')).toHaveLength(3);
    expect(types).toContain('FailStateEntered');
    for (const token of inbox.tokens) {
      await expect(host.sendTaskSuccess({ taskToken: token, output: '{}' })).rejects.toMatchObject({ name: 'TaskTimedOut' });
    }
  });

  it('keeps the task alive while heartbeats arrive and fails it with States.HeartbeatTimeout when they stop', async () => {
    const inbox = tokenInbox();
    const host = await hostWith(
      {
        StartAt: 'Work',
        States: {
          Work: tokenTask({
            HeartbeatSeconds: 40,
            Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'Lapsed' }],
            End: true,
          }),
          Lapsed: { Type: 'Pass', End: true },
        },
      },
      { invokeFunction: fakeFunction(inbox.receive).invokeFunction, timeScale: FAST },
    );
    const arn = await run(host);
    const token = await inbox.next();
    const started = Date.now();
    while (Date.now() - started < 120) {
      await host.sendTaskHeartbeat({ taskToken: token });
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await host.describeExecution(arn)).status).toBe('RUNNING');

    const done = await host.waitForExecution(arn, { timeoutMs: 5000 });
    expect(JSON.parse(done.output!).error).toEqual({ Error: 'States.HeartbeatTimeout', Cause: '' });
    await expect(host.sendTaskHeartbeat({ taskToken: token })).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('fails the task with the function error when the invoke itself fails, and retires the token', async () => {
    const tokens: string[] = [];
    const fn = fakeFunction((payload) => {
      tokens.push(payload.taskToken);
      const error = new Error('rate exceeded');
      error.name = 'Lambda.TooManyRequestsException';
      throw error;
    });
    const host = await hostWith({ StartAt: 'Approve', States: { Approve: tokenTask({ End: true }) } }, { invokeFunction: fn.invokeFunction });
    const done = await host.waitForExecution(await run(host), { timeoutMs: 5000 });

    expect(done).toMatchObject({ status: 'FAILED', error: 'Lambda.TooManyRequestsException', cause: 'rate exceeded' });
    await expect(host.sendTaskSuccess({ taskToken: tokens[0]!, output: '{}' })).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
  });

  it('invalidates the tokens of an execution that timed out as a whole', async () => {
    const inbox = tokenInbox();
    const host = newHost({ invokeFunction: fakeFunction(inbox.receive).invokeFunction, timeScale: FAST });
    await host.createStateMachine({
      arn: MACHINE_ARN,
      definition: { TimeoutSeconds: 40, StartAt: 'Approve', States: { Approve: tokenTask({ End: true }) } },
    });
    const arn = await run(host);
    const token = await inbox.next();
    await until('execution timeout', async () => (await host.describeExecution(arn)).status !== 'RUNNING');

    expect(await host.describeExecution(arn)).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect((await eventTypes(host, arn)).at(-1)).toBe('ExecutionTimedOut');
    await expect(host.sendTaskSuccess({ taskToken: token, output: '{}' })).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });
});

describe('StateMachineHost: memory', () => {
  it('lets go of a closed host once its token waits are over, so a long-lived process does not keep every finished task', async () => {
    const closed = await (async () => {
      const inbox = tokenInbox();
      const host = new StateMachineHost({ invokeFunction: fakeFunction(inbox.receive).invokeFunction });
      await host.createStateMachine({ arn: MACHINE_ARN, definition: approval });
      for (const proposalId of ['p-1', 'p-2']) {
        const arn = await run(host, { proposalId });
        await host.sendTaskSuccess({ taskToken: await inbox.next(), output: '{}' });
        expect((await host.waitForExecution(arn, { timeoutMs: 5000 })).status).toBe('SUCCEEDED');
      }
      await host.close();
      return new WeakRef(host);
    })();
    expect(await isCollected(closed)).toBe(true);
  });
});
