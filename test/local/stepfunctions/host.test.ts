import { describe, expect, it } from 'vitest';
import { isStepFunctionsError } from '../../../local/stepfunctions/errors.ts';
import {
  FUNCTION_ARN,
  MACHINE_ARN,
  eventTypes,
  fakeFunction,
  historyOf,
  hostWith,
  lambdaTask,
  namedError,
  newHost,
  run,
  tokenInbox,
  tokenTask,
} from './fixtures.ts';

const FAST = 1 / 1000;

describe('StateMachineHost: flow states', () => {
  const classify = {
    StartAt: 'Classify',
    States: {
      Classify: {
        Type: 'Choice',
        Choices: [{ Variable: '$.n', NumericGreaterThan: 10, Next: 'Big' }],
        Default: 'Small',
      },
      Big: { Type: 'Pass', Result: 'big', ResultPath: '$.size', Next: 'Done' },
      Done: { Type: 'Succeed' },
      Small: { Type: 'Fail', Error: 'Verval.TooSmall', Cause: 'n is at most 10' },
    },
  };

  it('runs Choice, Pass and Succeed to SUCCEEDED and records AWS-shaped history', async () => {
    const host = await hostWith(classify, { invokeFunction: fakeFunction().invokeFunction });
    const arn = await run(host, { n: 20 });
    const done = await host.waitForExecution(arn, { timeoutMs: 5000 });

    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ n: 20, size: 'big' });
    expect(done.stopDate!.getTime()).toBeGreaterThanOrEqual(done.startDate.getTime());
    expect(await eventTypes(host, arn)).toEqual([
      'ExecutionStarted',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'PassStateEntered',
      'PassStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    const history = await historyOf(host, arn);
    expect(history.map((event) => event.id)).toEqual(history.map((_, i) => i + 1));
    expect(history.map((event) => event.previousEventId)).toEqual(history.map((_, i) => i));
    expect(history[0]!.timestamp).toBeInstanceOf(Date);
    expect(history[0]!.executionStartedEventDetails).toMatchObject({ input: '{"n":20}' });
    expect(history[3]!.stateEnteredEventDetails).toEqual({ name: 'Big', input: '{"n":20}', inputDetails: { truncated: false } });
    expect(history[4]!.stateExitedEventDetails).toMatchObject({ name: 'Big', output: '{"n":20,"size":"big"}' });
  });

  it('fails the execution with the Fail state error and cause', async () => {
    const host = await hostWith(classify, { invokeFunction: fakeFunction().invokeFunction });
    const arn = await run(host, { n: 1 });
    const done = await host.waitForExecution(arn, { timeoutMs: 5000 });

    expect(done).toMatchObject({ status: 'FAILED', error: 'Verval.TooSmall', cause: 'n is at most 10' });
    const history = await historyOf(host, arn);
    expect(history.slice(-2).map((event) => event.type)).toEqual(['FailStateEntered', 'ExecutionFailed']);
    expect(history.at(-1)!.executionFailedEventDetails).toEqual({ error: 'Verval.TooSmall', cause: 'n is at most 10' });
  });

  it('reports no error or cause for a Fail state that has neither', async () => {
    const host = await hostWith({ StartAt: 'Stop', States: { Stop: { Type: 'Fail' } } }, { invokeFunction: fakeFunction().invokeFunction });
    const done = await host.waitForExecution(await run(host), { timeoutMs: 5000 });

    expect(done.status).toBe('FAILED');
    expect(done.error).toBeUndefined();
    expect(done.cause).toBeUndefined();
  });

  it('runs Map and Parallel states and records their iterations', async () => {
    const fn = fakeFunction((payload) => ({ doubled: payload.value * 2 }));
    const host = await hostWith(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            ItemSelector: { 'value.$': '$$.Map.Item.Value', 'batch.$': '$$.Execution.Input.batch' },
            ItemProcessor: {
              StartAt: 'Double',
              States: { Double: lambdaTask({ OutputPath: '$.Payload', End: true }, { 'value.$': '$.value' }) },
            },
            ResultPath: '$.doubled',
            Next: 'Both',
          },
          Both: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'A', States: { A: { Type: 'Pass', Result: 'a', End: true } } },
              { StartAt: 'B', States: { B: { Type: 'Pass', Result: 'b', End: true } } },
            ],
            ResultPath: '$.branches',
            End: true,
          },
        },
      },
      { invokeFunction: fn.invokeFunction },
    );
    const arn = await run(host, { batch: 'b-1', items: [1, 2, 3] });
    const done = await host.waitForExecution(arn, { timeoutMs: 5000 });

    expect(JSON.parse(done.output!)).toEqual({
      batch: 'b-1',
      items: [1, 2, 3],
      doubled: [{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }],
      branches: ['a', 'b'],
    });
    const types = await eventTypes(host, arn);
    expect(types.filter((type) => type === 'MapIterationStarted')).toHaveLength(3);
    expect(types.filter((type) => type === 'TaskSucceeded')).toHaveLength(3);
    expect(types).toContain('MapStateStarted');
    expect(types).toContain('ParallelStateSucceeded');
  });

  it('gives $$.Execution.Input the execution input inside Map iterations', async () => {
    const host = await hostWith(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            ItemProcessor: {
              StartAt: 'Read',
              States: { Read: { Type: 'Pass', Parameters: { 'original.$': '$$.Execution.Input.tag' }, End: true } },
            },
            End: true,
          },
        },
      },
      { invokeFunction: fakeFunction().invokeFunction },
    );
    const done = await host.waitForExecution(await run(host, { tag: 'from-start', items: [1, 2] }), { timeoutMs: 5000 });

    expect(JSON.parse(done.output!)).toEqual([{ original: 'from-start' }, { original: 'from-start' }]);
  });
});

describe('StateMachineHost: Lambda tasks', () => {
  it('passes Payload to the function and gives ResultSelector the lambda:invoke response shape', async () => {
    const fn = fakeFunction((payload) => ({ total: payload.input.a + payload.input.b }));
    const host = await hostWith(
      {
        StartAt: 'Add',
        States: {
          Add: lambdaTask({
            ResultSelector: { 'total.$': '$.Payload.total', 'status.$': '$.StatusCode', 'version.$': '$.ExecutedVersion' },
            ResultPath: '$.result',
            Next: 'Again',
          }),
          Again: lambdaTask({ OutputPath: '$.Payload', End: true }),
        },
      },
      { invokeFunction: fn.invokeFunction },
    );
    const arn = await run(host, { a: 2, b: 3 });
    const done = await host.waitForExecution(arn, { timeoutMs: 5000 });

    expect(fn.calls[0]).toEqual({ functionName: FUNCTION_ARN, payload: { input: { a: 2, b: 3 } } });
    expect(fn.calls[1]!.payload).toEqual({ input: { a: 2, b: 3, result: { total: 5, status: 200, version: '$LATEST' } } });
    expect(JSON.parse(done.output!)).toEqual({ total: 5 });
    const history = await historyOf(host, arn);
    expect(history.slice(1, 6).map((event) => event.type)).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
    const scheduled = history[2]!.taskScheduledEventDetails as Record<string, unknown>;
    expect(scheduled).toMatchObject({ resourceType: 'lambda', resource: 'invoke', region: 'ap-southeast-3' });
    expect(JSON.parse(scheduled.parameters as string)).toEqual({ FunctionName: FUNCTION_ARN, Payload: { input: { a: 2, b: 3 } } });
    const succeeded = JSON.parse((history[4]!.taskSucceededEventDetails as { output: string }).output);
    expect(succeeded).toMatchObject({ StatusCode: 200, Payload: { total: 5 }, ExecutedVersion: '$LATEST' });
    expect(succeeded.SdkHttpMetadata.HttpStatusCode).toBe(200);
  });

  it('invokes a function given as the Resource ARN with the state input and returns its result as is', async () => {
    const fn = fakeFunction((payload) => ({ seen: payload }));
    const host = await hostWith(
      { StartAt: 'Direct', States: { Direct: { Type: 'Task', Resource: FUNCTION_ARN, End: true } } },
      { invokeFunction: fn.invokeFunction },
    );
    const arn = await run(host, { x: 1 });
    const done = await host.waitForExecution(arn, { timeoutMs: 5000 });

    expect(fn.calls[0]!.functionName).toBe(FUNCTION_ARN);
    expect(JSON.parse(done.output!)).toEqual({ seen: { x: 1 } });
    expect(await eventTypes(host, arn)).toContain('LambdaFunctionSucceeded');
  });

  it('retries a transient Lambda.ServiceException and then succeeds', async () => {
    const fn = fakeFunction((_payload, call) => {
      if (call === 1) throw namedError('Lambda.ServiceException', 'Lambda is having a moment');
      return { ok: true };
    });
    const host = await hostWith(
      {
        StartAt: 'Stage',
        States: {
          Stage: lambdaTask({
            Retry: [{ ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
            OutputPath: '$.Payload',
            End: true,
          }),
        },
      },
      { invokeFunction: fn.invokeFunction, timeScale: FAST },
    );
    const arn = await run(host);
    const done = await host.waitForExecution(arn, { timeoutMs: 5000 });

    expect(done.status).toBe('SUCCEEDED');
    expect(fn.calls).toHaveLength(2);
    const history = await historyOf(host, arn);
    const failed = history.find((event) => event.type === 'TaskFailed')!;
    expect(failed.taskFailedEventDetails).toMatchObject({ error: 'Lambda.ServiceException', cause: 'Lambda is having a moment' });
    expect(history.filter((event) => event.type === 'TaskScheduled')).toHaveLength(2);
  });

  it('routes a function error to the Catch naming it, with Lambda error JSON as the Cause', async () => {
    class NotEligible extends Error {
      override name = 'Verval.NotEligible';
    }
    const fn = fakeFunction(() => {
      throw new NotEligible('household income above threshold');
    });
    const host = await hostWith(
      {
        StartAt: 'Stage',
        States: {
          Stage: lambdaTask({
            Retry: [{ ErrorEquals: ['Lambda.ServiceException'], MaxAttempts: 3 }],
            Catch: [
              { ErrorEquals: ['Verval.Other'], Next: 'Wrong' },
              { ErrorEquals: ['Verval.NotEligible'], ResultPath: '$.error', Next: 'Rejected' },
            ],
            End: true,
          }),
          Wrong: { Type: 'Fail', Error: 'Wrong' },
          Rejected: { Type: 'Pass', End: true },
        },
      },
      { invokeFunction: fn.invokeFunction, timeScale: FAST },
    );
    const done = await host.waitForExecution(await run(host, { id: 'p-1' }), { timeoutMs: 5000 });

    expect(done.status).toBe('SUCCEEDED');
    expect(fn.calls).toHaveLength(1);
    const output = JSON.parse(done.output!);
    expect(output.id).toBe('p-1');
    expect(output.error.Error).toBe('Verval.NotEligible');
    const cause = JSON.parse(output.error.Cause);
    expect(cause).toMatchObject({ errorType: 'Verval.NotEligible', errorMessage: 'household income above threshold' });
    expect(cause.trace[0]).toContain('household income above threshold');
  });

  it('names an unnamed thrown error "Error", which States.TaskFailed catches', async () => {
    const fn = fakeFunction(() => {
      throw new Error('boom');
    });
    const host = await hostWith(
      {
        StartAt: 'Stage',
        States: {
          Stage: lambdaTask({ Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Caught' }], End: true }),
          Caught: { Type: 'Succeed' },
        },
      },
      { invokeFunction: fn.invokeFunction },
    );
    const done = await host.waitForExecution(await run(host), { timeoutMs: 5000 });

    expect(JSON.parse(done.output!)).toMatchObject({ Error: 'Error' });
  });

  it('stops retrying after MaxAttempts and lets Catch take the error', async () => {
    const fn = fakeFunction(() => {
      throw namedError('Lambda.TooManyRequestsException');
    });
    const host = await hostWith(
      {
        StartAt: 'Stage',
        States: {
          Stage: lambdaTask({
            Retry: [{ ErrorEquals: ['Lambda.TooManyRequestsException'], IntervalSeconds: 1, MaxAttempts: 2 }],
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'GaveUp' }],
            End: true,
          }),
          GaveUp: { Type: 'Fail', Error: 'Verval.GaveUp' },
        },
      },
      { invokeFunction: fn.invokeFunction, timeScale: FAST },
    );
    const done = await host.waitForExecution(await run(host), { timeoutMs: 5000 });

    expect(fn.calls).toHaveLength(3);
    expect(done.error).toBe('Verval.GaveUp');
  });

  it('fails the execution when no Catch matches', async () => {
    const fn = fakeFunction(() => {
      throw namedError('Verval.Broken', 'stage broke');
    });
    const host = await hostWith({ StartAt: 'Stage', States: { Stage: lambdaTask({ End: true }) } }, { invokeFunction: fn.invokeFunction });
    const done = await host.waitForExecution(await run(host), { timeoutMs: 5000 });

    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('Verval.Broken');
    expect(JSON.parse(done.cause!)).toMatchObject({ errorType: 'Verval.Broken', errorMessage: 'stage broke' });
  });
});

describe('StateMachineHost: EventBridge putEvents', () => {
  it('delivers the entries with Detail as JSON text and returns event ids', async () => {
    const delivered: unknown[] = [];
    const host = await hostWith(
      {
        StartAt: 'Publish',
        States: {
          Publish: {
            Type: 'Task',
            Resource: 'arn:aws:states:::events:putEvents',
            Parameters: {
              Entries: [{ EventBusName: 'verval-81', Source: 'verval.province-81', DetailType: 'Proposal finalized', 'Detail.$': '$.detail' }],
            },
            End: true,
          },
        },
      },
      { invokeFunction: fakeFunction().invokeFunction, onEvents: (entries) => void delivered.push(...entries) },
    );
    const done = await host.waitForExecution(await run(host, { detail: { proposalId: 'p-1', outcome: 'APPROVED' } }), { timeoutMs: 5000 });

    expect(delivered).toEqual([
      {
        EventBusName: 'verval-81',
        Source: 'verval.province-81',
        DetailType: 'Proposal finalized',
        Detail: '{"proposalId":"p-1","outcome":"APPROVED"}',
      },
    ]);
    const output = JSON.parse(done.output!);
    expect(output.FailedEntryCount).toBe(0);
    expect(output.Entries).toHaveLength(1);
    expect(typeof output.Entries[0].EventId).toBe('string');
  });

  it('refuses a putEvents definition when the host has no onEvents', async () => {
    const host = newHost({ invokeFunction: fakeFunction().invokeFunction });
    const definition = {
      StartAt: 'Publish',
      States: { Publish: { Type: 'Task', Resource: 'arn:aws:states:::events:putEvents', Parameters: { Entries: [] }, End: true } },
    };
    await expect(host.createStateMachine({ arn: MACHINE_ARN, definition })).rejects.toThrow(/onEvents/);
  });
});

describe('StateMachineHost: definitions', () => {
  it('rejects an unsupported resource at createStateMachine, naming the state and resource', async () => {
    const host = newHost({ invokeFunction: fakeFunction().invokeFunction });
    const definition = {
      StartAt: 'Save',
      States: {
        Save: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:putItem',
          Parameters: { TableName: 't', Item: {} },
          End: true,
        },
      },
    };
    const error = await host.createStateMachine({ arn: MACHINE_ARN, definition }).catch((caught: unknown) => caught);

    expect(isStepFunctionsError(error, 'InvalidDefinition')).toBe(true);
    expect((error as Error).message).toMatch(/"Save".*arn:aws:states:::dynamodb:putItem.*not supported locally/);
  });

  it('rejects a definition that fails ASL validation', async () => {
    const host = newHost({ invokeFunction: fakeFunction().invokeFunction });
    const definition = { StartAt: 'Missing', States: { Other: { Type: 'Pass', End: true } } };

    await expect(host.createStateMachine({ arn: MACHINE_ARN, definition })).rejects.toMatchObject({ name: 'InvalidDefinition' });
  });
});

describe('StateMachineHost: executions API', () => {
  const waitForToken = { StartAt: 'Approve', States: { Approve: tokenTask({ End: true }) } };

  it('rejects names outside 1–80 characters of letters, digits, - and _', async () => {
    const host = await hostWith(waitForToken, { invokeFunction: fakeFunction().invokeFunction });

    await expect(run(host, {}, 'has space')).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(run(host, {}, 'x'.repeat(81))).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(run(host, {}, 'p-81_01')).resolves.toContain(':execution:Verval-Test:p-81_01');
  });

  it('treats a second start with the same name and input as the same running execution', async () => {
    const fn = fakeFunction();
    const host = await hostWith(waitForToken, { invokeFunction: fn.invokeFunction });
    const first = await host.startExecution({ stateMachineArn: MACHINE_ARN, name: 'proposal-1-v1', input: '{"id":1}' });
    const again = await host.startExecution({ stateMachineArn: MACHINE_ARN, name: 'proposal-1-v1', input: '{"id":1}' });

    expect(again).toEqual(first);
    await expect(
      host.startExecution({ stateMachineArn: MACHINE_ARN, name: 'proposal-1-v1', input: '{"id":2}' }),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    expect((await host.listExecutions({ stateMachineArn: MACHINE_ARN })).executions).toHaveLength(1);
  });

  it('refuses the name of a finished execution even with the same input', async () => {
    const host = await hostWith({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }, { invokeFunction: fakeFunction().invokeFunction });
    const arn = await run(host, { id: 1 }, 'once');
    await host.waitForExecution(arn, { timeoutMs: 5000 });

    await expect(run(host, { id: 1 }, 'once')).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('answers unknown ARNs and bad input with the AWS error codes', async () => {
    const host = await hostWith(waitForToken, { invokeFunction: fakeFunction().invokeFunction });

    await expect(host.describeExecution(`${MACHINE_ARN.replace('stateMachine', 'execution')}:nope`)).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
    });
    await expect(
      host.startExecution({ stateMachineArn: `${MACHINE_ARN}-other`, input: '{}' }),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(host.startExecution({ stateMachineArn: MACHINE_ARN, input: '{not json' })).rejects.toMatchObject({
      name: 'InvalidExecutionInput',
    });
  });

  it('lists executions newest first, filtered by status, in pages', async () => {
    const host = await hostWith(waitForToken, { invokeFunction: fakeFunction().invokeFunction });
    const arns: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      arns.push(await run(host, {}, name));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await host.stopExecution({ executionArn: arns[0]! });

    const running = await host.listExecutions({ stateMachineArn: MACHINE_ARN, statusFilter: 'RUNNING' });
    expect(running.executions.map((item) => item.name)).toEqual(['c', 'b']);
    const first = await host.listExecutions({ stateMachineArn: MACHINE_ARN, maxResults: 2 });
    const second = await host.listExecutions({ stateMachineArn: MACHINE_ARN, maxResults: 2, nextToken: first.nextToken! });
    expect([...first.executions, ...second.executions].map((item) => item.name)).toEqual(['c', 'b', 'a']);
    expect(second.nextToken).toBeUndefined();
    expect(second.executions[0]).toMatchObject({ status: 'ABORTED' });
  });

  it('pages history forwards and in reverse order', async () => {
    const host = await hostWith(
      {
        StartAt: 'One',
        States: {
          One: { Type: 'Pass', Next: 'Two' },
          Two: { Type: 'Pass', Next: 'Three' },
          Three: { Type: 'Pass', End: true },
        },
      },
      { invokeFunction: fakeFunction().invokeFunction },
    );
    const arn = await run(host);
    await host.waitForExecution(arn, { timeoutMs: 5000 });
    const all = await historyOf(host, arn);

    const page1 = await host.getExecutionHistory({ executionArn: arn, maxResults: 3 });
    const page2 = await host.getExecutionHistory({ executionArn: arn, maxResults: 3, nextToken: page1.nextToken! });
    expect([...page1.events, ...page2.events].map((event) => event.id)).toEqual([1, 2, 3, 4, 5, 6]);
    const reversed = await host.getExecutionHistory({ executionArn: arn, reverseOrder: true, maxResults: 2 });
    expect(reversed.events.map((event) => event.id)).toEqual([all.length, all.length - 1]);
    expect(reversed.events[0]!.type).toBe('ExecutionSucceeded');
  });

  it('stops a running execution as ABORTED with the given error and cause', async () => {
    const inbox = tokenInbox();
    const host = await hostWith(waitForToken, { invokeFunction: fakeFunction(inbox.receive).invokeFunction });
    const arn = await run(host);
    const token = await inbox.next();

    const { stopDate } = await host.stopExecution({ executionArn: arn, error: 'Verval.Withdrawn', cause: 'operator withdrew' });

    const done = await host.describeExecution(arn);
    expect(done).toMatchObject({ status: 'ABORTED', error: 'Verval.Withdrawn', cause: 'operator withdrew' });
    expect(done.stopDate).toEqual(stopDate);
    expect((await historyOf(host, arn)).at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Verval.Withdrawn', cause: 'operator withdrew' },
    });
    await expect(host.sendTaskSuccess({ taskToken: token, output: '{}' })).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
  });
});
