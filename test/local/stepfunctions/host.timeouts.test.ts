import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventTypes, fakeFunction, historyOf, hostWith, lambdaTask, namedError, run, tokenInbox, tokenTask } from './fixtures.ts';

const DAY_MS = 86_400_000;

/** Lets the host's real-macrotask work (event draining, handler start) run while Date and setTimeout are fake. */
async function settleReal(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('StateMachineHost: Task timeouts on virtual time', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a Task without TimeoutSeconds waiting past 60 s and past the library timer limit, on the same token', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const inbox = tokenInbox();
    const fn = fakeFunction(inbox.receive);
    const host = await hostWith({ StartAt: 'Approve', States: { Approve: tokenTask({ End: true }) } }, { invokeFunction: fn.invokeFunction });
    const arn = await run(host, { id: 1 });
    await settleReal();
    const [token] = inbox.tokens;
    expect(token).toBeDefined();

    await vi.advanceTimersByTimeAsync(61_000);
    await settleReal();
    expect((await host.describeExecution(arn)).status).toBe('RUNNING');

    // Past 24.8 days, where one Node timer (and the library's own Task timer) cannot reach.
    await vi.advanceTimersByTimeAsync(25 * DAY_MS);
    await settleReal();
    expect((await host.describeExecution(arn)).status).toBe('RUNNING');

    await host.sendTaskSuccess({ taskToken: token!, output: '{"late":true}' });
    await settleReal();
    const done = await host.describeExecution(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ late: true });
    expect(fn.calls).toHaveLength(1);
    expect((await eventTypes(host, arn)).filter((type) => type === 'TaskScheduled')).toHaveLength(1);
  });

  it('times out a 30-day TimeoutSeconds after 30 days, not when a single timer would overflow', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const inbox = tokenInbox();
    const host = await hostWith(
      { StartAt: 'Approve', States: { Approve: tokenTask({ TimeoutSeconds: 30 * 86_400, End: true }) } },
      { invokeFunction: fakeFunction(inbox.receive).invokeFunction },
    );
    const arn = await run(host);
    await settleReal();

    await vi.advanceTimersByTimeAsync(29 * DAY_MS);
    await settleReal();
    expect((await host.describeExecution(arn)).status).toBe('RUNNING');
    await host.sendTaskHeartbeat({ taskToken: inbox.tokens[0]! });

    await vi.advanceTimersByTimeAsync(DAY_MS + 1000);
    await settleReal();
    expect(await host.describeExecution(arn)).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
  });
});

describe('StateMachineHost: scaled time', () => {
  it('leaves a Task without TimeoutSeconds waiting while 120 scaled seconds pass in a Wait beside it', async () => {
    const inbox = tokenInbox();
    const host = await hostWith(
      {
        StartAt: 'Both',
        States: {
          Both: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'Approve', States: { Approve: tokenTask({ End: true }) } },
              { StartAt: 'Two minutes', States: { 'Two minutes': { Type: 'Wait', Seconds: 120, End: true } } },
            ],
            End: true,
          },
        },
      },
      { invokeFunction: fakeFunction(inbox.receive).invokeFunction, timeScale: 1 / 1000 },
    );
    const arn = await run(host);
    const token = await inbox.next();
    const started = Date.now();
    while (!(await eventTypes(host, arn)).includes('WaitStateExited')) await new Promise((resolve) => setTimeout(resolve, 5));

    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect((await host.describeExecution(arn)).status).toBe('RUNNING');
    await host.sendTaskSuccess({ taskToken: token, output: '"approved"' });
    const done = await host.waitForExecution(arn, { timeoutMs: 5000 });
    expect(JSON.parse(done.output!)).toEqual(['approved', {}]);
  });

  it('re-enters a long task before the library timer fires, keeping its token and not invoking again', async () => {
    const inbox = tokenInbox();
    const fn = fakeFunction(inbox.receive);
    const host = await hostWith(
      { StartAt: 'Approve', States: { Approve: tokenTask({ End: true }) } },
      { invokeFunction: fn.invokeFunction, libraryTimerLimitMs: 200 },
    );
    const arn = await run(host);
    const token = await inbox.next();
    await new Promise((resolve) => setTimeout(resolve, 700));

    expect((await host.describeExecution(arn)).status).toBe('RUNNING');
    await host.sendTaskSuccess({ taskToken: token, output: '{}' });
    expect((await host.waitForExecution(arn, { timeoutMs: 5000 })).status).toBe('SUCCEEDED');
    expect(fn.calls).toHaveLength(1);
    expect((await eventTypes(host, arn)).filter((type) => type === 'TaskStateEntered')).toHaveLength(1);
  });

  it('completes a Wait longer than the library timer limit', async () => {
    const host = await hostWith(
      { StartAt: 'Pause', States: { Pause: { Type: 'Wait', Seconds: 1, Next: 'Done' }, Done: { Type: 'Succeed' } } },
      { invokeFunction: fakeFunction().invokeFunction, libraryTimerLimitMs: 200 },
    );
    const started = Date.now();
    const done = await host.waitForExecution(await run(host), { timeoutMs: 5000 });

    expect(done.status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  });

  it('scales Seconds and SecondsPath waits but waits for a Timestamp as given', async () => {
    const host = await hostWith(
      {
        StartAt: 'Fixed',
        States: {
          Fixed: { Type: 'Wait', Seconds: 86_400, Next: 'FromInput' },
          FromInput: { Type: 'Wait', SecondsPath: '$.seconds', Next: 'Until' },
          Until: { Type: 'Wait', TimestampPath: '$.until', End: true },
        },
      },
      { invokeFunction: fakeFunction().invokeFunction, timeScale: 1 / 86_400 },
    );
    const started = Date.now();
    const until = new Date(started + 400).toISOString();
    const arn = await run(host, { seconds: 86_400, until });
    const done = await host.waitForExecution(arn, { timeoutMs: 5000 });
    const elapsed = Date.now() - started;

    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ seconds: 86_400, until });
    // 1 s + 1 s of scaled days, and the timestamp 400 ms after start is already behind.
    expect(elapsed).toBeGreaterThanOrEqual(1990);
    expect(elapsed).toBeLessThan(3500);
    expect((await eventTypes(host, arn)).filter((type) => type === 'WaitStateExited')).toHaveLength(3);
  });

  it('waits until an absolute timestamp without scaling it', async () => {
    const host = await hostWith(
      { StartAt: 'Until', States: { Until: { Type: 'Wait', TimestampPath: '$.until', End: true } } },
      { invokeFunction: fakeFunction().invokeFunction, timeScale: 1 / 86_400 },
    );
    const started = Date.now();
    await host.waitForExecution(await run(host, { until: new Date(started + 500).toISOString() }), { timeoutMs: 5000 });

    expect(Date.now() - started).toBeGreaterThanOrEqual(490);
  });

  it('takes TimeoutSecondsPath from the state input and hides the injected value from the function', async () => {
    const inbox = tokenInbox();
    const fn = fakeFunction(inbox.receive);
    const host = await hostWith(
      { StartAt: 'Approve', States: { Approve: tokenTask({ TimeoutSecondsPath: '$.slaSeconds', End: true }) } },
      { invokeFunction: fn.invokeFunction, timeScale: 1 / 1000 },
    );
    const arn = await run(host, { slaSeconds: 60 });
    const done = await host.waitForExecution(arn, { timeoutMs: 5000 });

    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(Object.keys(fn.calls[0]!.payload)).toEqual(['taskToken', 'input']);
    const scheduled = (await historyOf(host, arn)).find((event) => event.type === 'TaskScheduled')!;
    expect(scheduled.taskScheduledEventDetails).toMatchObject({ timeoutInSeconds: 60 });
    expect((scheduled.taskScheduledEventDetails as { parameters: string }).parameters).not.toContain('__verval');
  });

  it('fails with States.Runtime when SecondsPath is not a non-negative integer', async () => {
    const host = await hostWith(
      { StartAt: 'Pause', States: { Pause: { Type: 'Wait', SecondsPath: '$.seconds', End: true } } },
      { invokeFunction: fakeFunction().invokeFunction },
    );
    const done = await host.waitForExecution(await run(host, { seconds: 'soon' }), { timeoutMs: 5000 });

    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('scales retry intervals with backoff and MaxDelaySeconds', async () => {
    const times: number[] = [];
    const fn = fakeFunction(() => {
      times.push(Date.now());
      throw namedError('Lambda.ServiceException');
    });
    const host = await hostWith(
      {
        StartAt: 'Stage',
        States: {
          Stage: lambdaTask({
            Retry: [{ ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 100, BackoffRate: 3, MaxDelaySeconds: 200, MaxAttempts: 3 }],
            End: true,
          }),
        },
      },
      { invokeFunction: fn.invokeFunction, timeScale: 1 / 1000 },
    );
    const arn = await run(host);
    await host.waitForExecution(arn, { timeoutMs: 5000 });

    const gaps = times.slice(1).map((time, i) => time - times[i]!);
    expect(gaps).toHaveLength(3);
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeLessThan(600);
    expect((await historyOf(host, arn)).filter((event) => event.type === 'TaskFailed')).toHaveLength(4);
  });
});
