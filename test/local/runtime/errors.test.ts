import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLocalRuntimeError } from '../../../local/errors.ts';
import { checkResourceTypes } from '../../../local/resource-types.ts';
import { startLocalRuntime } from '../../../local/runtime.ts';
import { tempDataDir } from './support.ts';

/** What a person sees when the local stack cannot start: one plain message, never a stack trace. */
describe('local runtime: clear errors', () => {
  let taken: Server;
  let port: number;
  const dataDir = tempDataDir();

  beforeAll(async () => {
    taken = createServer();
    port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)));
  });

  afterAll(async () => {
    await new Promise((resolve) => taken.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a taken port before doing any work, naming the port and the way out', async () => {
    const started = Date.now();
    const error = await startLocalRuntime({ dataDir, ports: { s3: port } }).catch((caught: unknown) => caught);
    expect(isLocalRuntimeError(error, 'PORT_IN_USE')).toBe(true);
    expect((error as Error).message).toContain(`Port ${port} (for the S3 store) is already in use`);
    expect((error as Error).message).toContain('--port-base');
    // Checked before the synthesis, which takes many seconds.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('npm start prints that message, without a stack trace, and exits 1', async () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const start = fileURLToPath(new URL('../../../local/start.ts', import.meta.url));
    // The Step Functions port of this base (base + 2) is the taken one.
    const result = await promisify(execFile)(process.execPath, ['--import', tsx, start, '--port-base', String(port - 2), '--data-dir', dataDir, '--no-demo'], {
      encoding: 'utf8',
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (failure: { code: number; stderr: string }) => failure,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Port ${port} (for Step Functions) is already in use`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('names the resources of a template it cannot run, and lists what it supports', () => {
    const template = {
      Resources: {
        Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
        Role: { Type: 'AWS::IAM::Role', Properties: {} },
        Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
        Python: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.12' } },
      },
    };
    let error: unknown;
    try {
      checkResourceTypes(template);
    } catch (caught) {
      error = caught;
    }
    expect(isLocalRuntimeError(error, 'UNSUPPORTED_RESOURCE')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('Queue (AWS::SQS::Queue)');
    expect(message).toContain('Python (AWS::Lambda::Function) uses runtime python3.12');
    expect(message).not.toContain('Role (');
    expect(message).toContain('AWS::StepFunctions::StateMachine');
    expect(message).toContain('AWS::KMS::Key');
  });

  it('lists the valid province codes for an unknown one', async () => {
    const error = await startLocalRuntime({ dataDir, province: '99' }).catch((caught: unknown) => caught);
    expect(isLocalRuntimeError(error, 'UNKNOWN_PROVINCE')).toBe(true);
    expect((error as Error).message).toMatch(/--province <code>[\s\S]*81 {2}MALUKU/i);
  });
});
