import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { StateMachineHost, type StateMachineHostOptions } from '../../../local/stepfunctions/host.ts';

export const REGION = 'ap-southeast-3';
export const MACHINE_ARN = `arn:aws:states:${REGION}:000000000000:stateMachine:Verval-Test`;
export const FUNCTION_ARN = `arn:aws:lambda:${REGION}:000000000000:function:verval-stage`;

/** A named error, as a Lambda handler (or the Lambda service) throws it. */
export function namedError(name: string, message = name): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export interface Invocation {
  functionName: string;
  payload: any;
}

/** A stand-in for Lambda: one async handler, every call recorded. */
export function fakeFunction(handler: (payload: any, call: number) => unknown = () => ({})) {
  const calls: Invocation[] = [];
  const invokeFunction = async (functionName: string, payload: unknown) => {
    calls.push({ functionName, payload });
    return handler(payload, calls.length);
  };
  return { calls, invokeFunction };
}

/** Resolves with each task token the function receives in `Payload.taskToken`, in order. */
export function tokenInbox() {
  const tokens: string[] = [];
  const waiters: Array<() => void> = [];
  return {
    tokens,
    receive(payload: any) {
      tokens.push(payload.taskToken);
      waiters.splice(0).forEach((wake) => wake());
      return { received: true };
    },
    async next(count = tokens.length + 1, timeoutMs = 10_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      while (tokens.length < count) {
        if (Date.now() > deadline) throw new Error(`no task token #${count} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 20);
        });
      }
      return tokens[count - 1]!;
    },
  };
}

const hosts: StateMachineHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.close()));
});

/** A host closed after the test. */
export function newHost(options: StateMachineHostOptions): StateMachineHost {
  const host = new StateMachineHost(options);
  hosts.push(host);
  return host;
}

export async function hostWith(definition: object, options: StateMachineHostOptions) {
  const host = newHost(options);
  await host.createStateMachine({ arn: MACHINE_ARN, definition });
  return host;
}

export async function run(host: StateMachineHost, input: unknown = {}, name?: string) {
  const { executionArn } = await host.startExecution({
    stateMachineArn: MACHINE_ARN,
    input: JSON.stringify(input),
    ...(name ? { name } : {}),
  });
  return executionArn;
}

export async function historyOf(host: StateMachineHost, executionArn: string) {
  return (await host.getExecutionHistory({ executionArn, maxResults: 1000 })).events;
}

export async function eventTypes(host: StateMachineHost, executionArn: string) {
  return (await historyOf(host, executionArn)).map((event) => event.type);
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'verval-sfn-'));
}

export async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function lambdaTask(extra: object = {}, payload: object = { 'input.$': '$' }) {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: FUNCTION_ARN, Payload: payload },
    ...extra,
  };
}

export function tokenTask(extra: object = {}) {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: { FunctionName: FUNCTION_ARN, Payload: { 'taskToken.$': '$$.Task.Token', 'input.$': '$' } },
    ...extra,
  };
}
