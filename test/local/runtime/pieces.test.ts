import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventLog } from '../../../local/event-log.ts';
import { toAwsJson } from '../../../local/json-protocol.ts';
import { FunctionInvocationError, LocalFunctions, type LocalFunctionSpec } from '../../../local/lambda/functions.ts';
import { generatePassword, loadSecrets } from '../../../local/secrets-manager.ts';
import { tempDataDir } from './support.ts';

const dir = tempDataDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tiny "bundle" in an asset directory, as cdk.out holds them. */
function asset(name: string, source: string): string {
  const assetDir = join(dir, name);
  mkdirSync(assetDir, { recursive: true });
  writeFileSync(join(assetDir, 'index.mjs'), source);
  return assetDir;
}

function spec(name: string, assetDir: string, overrides: Partial<LocalFunctionSpec> = {}): LocalFunctionSpec {
  return {
    logicalId: name,
    functionName: name,
    functionArn: `arn:aws:lambda:ap-southeast-3:000000000000:function:${name}`,
    assetDir,
    handler: 'index.handler',
    environment: { STAGE_NAME: name },
    timeoutSeconds: 5,
    memorySize: 128,
    logGroupName: `/aws/lambda/${name}`,
    ...overrides,
  };
}

describe('local Lambda functions', () => {
  it('runs each function with its own environment, and names a thrown error after its errorType', async () => {
    const source = `
      export async function handler(event, context) {
        if (event.fail) { const error = new Error('the village is not in this province'); error.name = 'Verval.Returned'; throw error; }
        return { env: process.env.STAGE_NAME, home: process.env.HOME ?? null, event, fn: context.functionName, left: context.getRemainingTimeInMillis() > 0 };
      }`;
    const functions = await LocalFunctions.start([spec('first', asset('first', source)), spec('second', asset('second', source))], { logDir: join(dir, 'logs') });
    try {
      expect(await functions.invoke('first', { n: 1 })).toEqual({ env: 'first', home: null, event: { n: 1 }, fn: 'first', left: true });
      expect(await functions.invoke('arn:aws:lambda:ap-southeast-3:000000000000:function:second:$LATEST', {})).toMatchObject({ env: 'second' });
      const error = await functions.invoke('first', { fail: true }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FunctionInvocationError);
      expect(error).toMatchObject({ name: 'Verval.Returned', message: 'the village is not in this province' });
      expect((error as Error).stack).toContain('index.mjs');
      await expect(functions.invoke('third', {})).rejects.toMatchObject({ name: 'Lambda.ResourceNotFoundException' });
    } finally {
      await functions.close();
    }
  });

  it('times out an invocation as Lambda does and starts a fresh sandbox for the next one', async () => {
    const source = `
      let calls = 0;
      export const handler = async (event) => { calls += 1; if (event.hang) await new Promise(() => {}); return calls; };`;
    const functions = await LocalFunctions.start([spec('slow', asset('slow', source), { timeoutSeconds: 0.3 })], { logDir: join(dir, 'logs') });
    try {
      expect(await functions.invoke('slow', {})).toBe(1);
      await expect(functions.invoke('slow', { hang: true })).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
      // The hung invocation ran in the one sandbox there was; it is gone, and a fresh one starts its count over.
      expect(await functions.invoke('slow', {})).toBe(1);
    } finally {
      await functions.close();
    }
  });

  it('refuses to start a function whose handler is not exported', async () => {
    await expect(LocalFunctions.start([spec('broken', asset('broken', 'export const other = 1;'))], { logDir: join(dir, 'logs') })).rejects.toMatchObject({
      code: 'FUNCTION_LOAD_FAILED',
      message: expect.stringContaining('Runtime.HandlerNotFound'),
    });
  });
});

describe('local service pieces', () => {
  it('sends timestamps as epoch seconds, as the AWS JSON protocols do', () => {
    expect(JSON.parse(toAwsJson({ startDate: new Date(1_700_000_000_123), nested: [{ at: new Date(0) }], text: 'x' }))).toEqual({
      startDate: 1_700_000_000.123,
      nested: [{ at: 0 }],
      text: 'x',
    });
  });

  it('generates secrets by the GenerateSecretString rules, once per data directory', () => {
    const password = generatePassword({ PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false });
    expect(password).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(password).toMatch(/[a-z]/);
    expect(password).toMatch(/[A-Z]/);
    expect(password).toMatch(/[0-9]/);
    const file = join(dir, 'secrets.json');
    const arn = 'arn:aws:secretsmanager:ap-southeast-3:000000000000:secret:IdentityHashSecret-AbCdEf';
    const first = loadSecrets(file, [{ arn, properties: { GenerateSecretString: { PasswordLength: 32 } } }]);
    const again = loadSecrets(file, [{ arn, properties: { GenerateSecretString: { PasswordLength: 32 } } }]);
    expect(again).toEqual(first);
    expect(first[0]).toMatchObject({ name: 'IdentityHashSecret', secretString: expect.stringMatching(/^.{32}$/) });
  });

  it('appends put events as EventBridge delivers them, and fails a bus that does not exist', async () => {
    const file = join(dir, 'events.jsonl');
    const put = eventLog(file, { region: 'ap-southeast-3', accountId: '000000000000', buses: [{ name: 'verval-81', arn: 'arn:aws:events:ap-southeast-3:000000000000:event-bus/verval-81' }] });
    const reply = await put([{ EventBusName: 'verval-81', Source: 'verval.province-81', DetailType: 'Proposal finalized', Detail: '{"outcome":"REGISTERED"}' }]);
    expect(reply).toMatchObject({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
    const [line] = readFileSync(file, 'utf8').trim().split('\n').map((text) => JSON.parse(text));
    expect(line).toMatchObject({ version: '0', source: 'verval.province-81', 'detail-type': 'Proposal finalized', detail: { outcome: 'REGISTERED' }, eventBusName: 'verval-81' });
    expect(() => put([{ EventBusName: 'elsewhere', Source: 's', DetailType: 'd', Detail: '{}' }])).toThrow(expect.objectContaining({ name: 'EventBridge.ResourceNotFoundException' }));
  });
});
