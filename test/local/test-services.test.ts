// The shared services of test/support/global-setup.ts, as test files reach them through test/support/aws-clients.ts.
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createTestBucket, testClients, uniqueName } from '../support/aws-clients.ts';

describe('testClients', () => {
  it('reaches the S3 store started by the global setup with the injected credentials', async () => {
    const { s3, endpoints } = testClients();
    expect(endpoints.s3).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const bucket = await createTestBucket(s3, 'clients');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k.txt', Body: 'v' }));
    expect(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k.txt' }))).Body?.transformToString()).toBe('v');
  });

  it('reaches DynamoDB Local through the document client, dropping undefined attributes', async () => {
    const { dynamodb, documents, endpoints } = testClients();
    expect(endpoints.dynamodb).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const table = uniqueName('clients');
    await dynamodb.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await documents.send(new PutCommand({ TableName: table, Item: { id: 'a', count: 2, note: undefined } }));
    expect((await documents.send(new GetCommand({ TableName: table, Key: { id: 'a' } }))).Item).toEqual({ id: 'a', count: 2 });
  });
});

describe('uniqueName', () => {
  it('makes distinct names valid as S3 buckets and DynamoDB tables, even from awkward prefixes', () => {
    const names = [uniqueName('My_Prefix!'), uniqueName('My_Prefix!'), uniqueName('x'.repeat(80))];
    expect(new Set(names).size).toBe(3);
    for (const name of names) {
      expect(name).toMatch(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/);
    }
  });
});
