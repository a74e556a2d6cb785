import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { findDynamoDbLocalJar, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { LocalRuntimeError } from '../../local/errors.ts';
import { testClients, uniqueName } from '../support/aws-clients.ts';
import { localRuntimeErrorOf } from '../support/local-runtime-error.ts';

async function createSimpleTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the DynamoDB Local started by the global setup', () => {
  it('commits a TransactWriteItems atomically and cancels the whole transaction when one condition fails', async () => {
    const { dynamodb } = testClients();
    const table = uniqueName('tx');
    await createSimpleTable(dynamodb, table);

    await dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: table, Item: { pk: { S: 'proposal#1' }, status: { S: 'SUBMITTED' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: table, Item: { pk: { S: 'nik#3171' }, proposal: { S: '1' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
    const second = dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: table, Item: { pk: { S: 'proposal#2' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: table, Item: { pk: { S: 'nik#3171' }, proposal: { S: '2' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
    await expect(second).rejects.toBeInstanceOf(TransactionCanceledException);

    const kept = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'nik#3171' } } }));
    expect(kept.Item?.proposal?.S).toBe('1');
    const notWritten = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'proposal#2' } } }));
    expect(notWritten.Item).toBeUndefined();
  });
});

describe('startDynamoDbLocal', () => {
  it('finds DynamoDBLocal.jar inside the installed amplify-dynamodb-simulator package', () => {
    const { jar, libDir } = findDynamoDbLocalJar();
    expect(jar).toMatch(/amplify-dynamodb-simulator[/\\]emulator[/\\]DynamoDBLocal\.jar$/);
    expect(libDir).toMatch(/DynamoDBLocal_lib$/);
  });

  it('keeps tables and items in dataDir across a restart, and frees its port on close', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'verval-ddb-'));
    try {
      const first = await startDynamoDbLocal({ dataDir });
      const c1 = new DynamoDBClient({ endpoint: first.endpoint, region: 'ap-southeast-3', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
      await createSimpleTable(c1, 'persisted');
      await c1.send(new PutItemCommand({ TableName: 'persisted', Item: { pk: { S: 'k' }, v: { N: '42' } } }));
      c1.destroy();
      await first.close();
      await expect(fetch(first.endpoint)).rejects.toThrow();

      const second = await startDynamoDbLocal({ dataDir, port: first.port });
      // Different credentials and region: -sharedDb makes them see the same tables.
      const c2 = new DynamoDBClient({ endpoint: second.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'c', secretAccessKey: 'd' } });
      try {
        expect((await c2.send(new DescribeTableCommand({ TableName: 'persisted' }))).Table?.TableStatus).toBe('ACTIVE');
        expect((await c2.send(new GetItemCommand({ TableName: 'persisted', Key: { pk: { S: 'k' } } }))).Item?.v?.N).toBe('42');
      } finally {
        c2.destroy();
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('does not leave the JVM running when the process that started it is terminated', async () => {
    const moduleUrl = new URL('../../local/dynamodb-local.ts', import.meta.url).href;
    const code = `const { startDynamoDbLocal } = await import(${JSON.stringify(moduleUrl)}); const d = await startDynamoDbLocal(); console.log('PID ' + d.pid); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    const javaPid = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /PID (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      parent.once('exit', (code) => reject(new Error(`the starter exited early (${code}): ${out}`)));
    });
    expect(isAlive(javaPid)).toBe(true);
    const exited = new Promise((resolve) => parent.once('exit', resolve));
    parent.kill('SIGTERM');
    await exited;
    const deadline = Date.now() + 5000;
    while (isAlive(javaPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(isAlive(javaPid)).toBe(false);
  });

  it('explains how to install Java when `java` is not on PATH', async () => {
    const path = process.env.PATH;
    process.env.PATH = '';
    let error: LocalRuntimeError;
    try {
      error = await localRuntimeErrorOf(startDynamoDbLocal());
    } finally {
      process.env.PATH = path;
    }
    expect(error.code).toBe('JAVA_NOT_FOUND');
    expect(error.message).toContain('apt-get install -y openjdk-17-jre-headless');
    expect(error.message).not.toMatch(/\n\s+at /); // no stack trace in the text a person reads
  });

  it('says which port is taken instead of failing obscurely', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const error = await localRuntimeErrorOf(startDynamoDbLocal({ port }));
      expect(error.code).toBe('PORT_IN_USE');
      expect(error.message).toContain(String(port));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
