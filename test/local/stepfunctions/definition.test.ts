import { describe, expect, it } from 'vitest';
import {
  INJECTED,
  LIBRARY_MAX_TIMEOUT_SECONDS,
  WAIT_RESOURCE,
  classifyResource,
  compileDefinition,
  startingAt,
} from '../../../local/stepfunctions/definition.ts';
import { FUNCTION_ARN, lambdaTask, tokenTask } from './fixtures.ts';

describe('compileDefinition', () => {
  it('gives every Task the longest library timer instead of its 60 s default, and keeps Retry for the host', () => {
    const retry = [{ ErrorEquals: ['Lambda.ServiceException'], MaxAttempts: 2 }];
    const compiled = compileDefinition({
      StartAt: 'Approve',
      States: { Approve: tokenTask({ Retry: retry, HeartbeatSeconds: 60, End: true }) },
    });

    const runnable = compiled.runnable.States.Approve!;
    expect(runnable.TimeoutSeconds).toBe(LIBRARY_MAX_TIMEOUT_SECONDS);
    expect(LIBRARY_MAX_TIMEOUT_SECONDS * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(runnable).not.toHaveProperty('Retry');
    expect(runnable).not.toHaveProperty('HeartbeatSeconds');
    expect(compiled.states.get('Approve')).toMatchObject({
      kind: 'task',
      topLevel: true,
      retriers: retry,
      timeoutSeconds: undefined,
      heartbeatSeconds: 60,
      integration: { kind: 'lambda', waitForTaskToken: true },
    });
  });

  it('turns a Wait into a host-handled Task that carries its input and path value', () => {
    const compiled = compileDefinition({
      StartAt: 'Review',
      States: { Review: { Type: 'Wait', TimestampPath: '$.review.endsAt', OutputPath: '$.review', Next: 'Done' }, Done: { Type: 'Succeed' } },
    });

    expect(compiled.runnable.States.Review).toEqual({
      Type: 'Task',
      Resource: WAIT_RESOURCE,
      Parameters: { [`${INJECTED.input}.$`]: '$', [`${INJECTED.waitTimestamp}.$`]: '$.review.endsAt' },
      TimeoutSeconds: LIBRARY_MAX_TIMEOUT_SECONDS,
      OutputPath: '$.review',
      Next: 'Done',
    });
    expect(compiled.states.get('Review')).toMatchObject({ kind: 'wait', type: 'Wait', fromPath: 'TimestampPath' });
  });

  it('lets catchers of States.Timeout also catch States.HeartbeatTimeout', () => {
    const compiled = compileDefinition({
      StartAt: 'Approve',
      States: {
        Approve: tokenTask({
          Catch: [
            { ErrorEquals: ['States.Timeout'], Next: 'Late' },
            { ErrorEquals: ['States.ALL'], Next: 'Late' },
          ],
          End: true,
        }),
        Late: { Type: 'Succeed' },
      },
    });

    expect(compiled.runnable.States.Approve!.Catch).toEqual([
      { ErrorEquals: ['States.Timeout', 'States.HeartbeatTimeout'], Next: 'Late' },
      { ErrorEquals: ['States.ALL'], Next: 'Late' },
    ]);
  });

  it('wraps Parameters so the library evaluates TimeoutSecondsPath', () => {
    const compiled = compileDefinition({
      StartAt: 'Approve',
      States: { Approve: tokenTask({ TimeoutSecondsPath: '$.slaSeconds', End: true }) },
    });

    expect(compiled.runnable.States.Approve!.Parameters).toEqual({
      [INJECTED.parameters]: { FunctionName: FUNCTION_ARN, Payload: { 'taskToken.$': '$$.Task.Token', 'input.$': '$' } },
      [`${INJECTED.timeoutSeconds}.$`]: '$.slaSeconds',
    });
    expect(compiled.states.get('Approve')).toMatchObject({ wrapped: true, timeoutFromPath: true });
  });

  it('points $$.Execution.Input in paths at the host context but leaves literal text alone', () => {
    const compiled = compileDefinition({
      StartAt: 'Check',
      States: {
        Check: { Type: 'Choice', Choices: [{ Variable: '$$.Execution.Input.urgent', BooleanEquals: true, Next: 'Read' }], Default: 'Read' },
        Read: {
          Type: 'Pass',
          Parameters: { 'id.$': '$$.Execution.Input.id', 'when.$': '$$.Execution.StartTime', note: '$$.Execution.Input' },
          End: true,
        },
      },
    });

    expect(compiled.runnable.States.Check!.Choices).toEqual([
      { Variable: '$$.Execution.VervalInput.urgent', BooleanEquals: true, Next: 'Read' },
    ]);
    expect(compiled.runnable.States.Read!.Parameters).toEqual({
      'id.$': '$$.Execution.VervalInput.id',
      'when.$': '$$.Execution.VervalStartTime',
      note: '$$.Execution.Input',
    });
  });

  it('takes the execution TimeoutSeconds away from the library', () => {
    const compiled = compileDefinition({ TimeoutSeconds: 3600, StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });

    expect(compiled.executionTimeoutSeconds).toBe(3600);
    expect(compiled.runnable).not.toHaveProperty('TimeoutSeconds');
  });

  it('marks states inside Map and Parallel as not top-level and cannot resume there', () => {
    const compiled = compileDefinition({
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'Inner', States: { Inner: lambdaTask({ End: true }) } },
          End: true,
        },
      },
    });

    expect(compiled.states.get('Each')!.topLevel).toBe(true);
    expect(compiled.states.get('Inner')!.topLevel).toBe(false);
    expect(startingAt(compiled, 'Each').StartAt).toBe('Each');
    expect(() => startingAt(compiled, 'Inner')).toThrow(/not a top-level state/);
  });

  it('does not let the validator write into the definition it keeps', () => {
    const compiled = compileDefinition({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });

    expect(compiled.definition.States.Done).toEqual({ Type: 'Succeed' });
  });

  it('rejects JSONata, distributed Map and duplicate state names', () => {
    expect(() =>
      compileDefinition({ QueryLanguage: 'JSONata', StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
    ).toThrow(/JSONata.*not supported locally/);
    expect(() =>
      compileDefinition(
        {
          StartAt: 'Each',
          States: {
            Each: {
              Type: 'Map',
              ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: {} },
              ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } },
              End: true,
            },
          },
        },
        { validate: false },
      ),
    ).toThrow(/"Each".*ItemReader.*not supported locally/);
    expect(() =>
      compileDefinition(
        {
          StartAt: 'Same',
          States: {
            Same: {
              Type: 'Parallel',
              Branches: [{ StartAt: 'Same', States: { Same: { Type: 'Pass', End: true } } }],
              End: true,
            },
          },
        },
        { validate: false },
      ),
    ).toThrow(/"Same" is used more than once/);
  });
});

describe('classifyResource', () => {
  it('recognises the Lambda and EventBridge integrations in any partition', () => {
    expect(classifyResource('S', 'arn:aws:states:::lambda:invoke')).toMatchObject({ kind: 'lambda', waitForTaskToken: false });
    expect(classifyResource('S', 'arn:aws-cn:states:::lambda:invoke.waitForTaskToken')).toMatchObject({
      kind: 'lambda',
      waitForTaskToken: true,
    });
    expect(classifyResource('S', 'arn:aws:states:::events:putEvents')).toMatchObject({ kind: 'events' });
    expect(classifyResource('S', FUNCTION_ARN)).toMatchObject({ kind: 'lambda-function' });
  });

  it('names the state and resource of anything else', () => {
    expect(() => classifyResource('Run job', 'arn:aws:states:::states:startExecution.sync:2')).toThrow(
      /State "Run job" uses resource arn:aws:states:::states:startExecution.sync:2, which is not supported locally/,
    );
  });
});
