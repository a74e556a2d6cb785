import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createTablesFromTemplate } from '../../local/cloudformation-tables.ts';
import { testClients, uniqueName } from '../support/aws-clients.ts';
import { localRuntimeErrorOf } from '../support/local-runtime-error.ts';

/** The shape aws-cdk-lib 2.276 synthesizes for a TableV2 with a GSI, TTL, a stream, PITR and deletion protection. */
function proposalsTable(overrides: Record<string, unknown> = {}) {
  return {
    Type: 'AWS::DynamoDB::GlobalTable',
    Properties: {
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'status', AttributeType: 'S' },
        { AttributeName: 'createdAt', AttributeType: 'N' },
        { AttributeName: 'nik', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['region'] },
        },
        { IndexName: 'byNik', KeySchema: [{ AttributeName: 'nik', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      Replicas: [
        {
          DeletionProtectionEnabled: true,
          GlobalSecondaryIndexes: [{ IndexName: 'byStatus' }, { IndexName: 'byNik' }],
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          Region: 'ap-southeast-3',
          Tags: [{ Key: 'province', Value: '81' }],
        },
      ],
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      ...overrides,
    },
    UpdateReplacePolicy: 'Retain',
    DeletionPolicy: 'Retain',
  };
}

describe('createTablesFromTemplate', () => {
  it('creates a TableV2 GlobalTable with its keys, GSIs (projections included), stream and TTL', async () => {
    const { dynamodb } = testClients();
    const prefix = uniqueName('cfn');
    const template = {
      Resources: {
        Proposals97FA2A39: proposalsTable(),
        Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
      },
    };
    const names = await createTablesFromTemplate(template, dynamodb, { nameFor: (id) => `${prefix}-${id}` });
    expect(names).toEqual({ Proposals97FA2A39: `${prefix}-Proposals97FA2A39` });

    const table = (await dynamodb.send(new DescribeTableCommand({ TableName: names.Proposals97FA2A39 }))).Table;
    expect(table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    const byStatus = table?.GlobalSecondaryIndexes?.find((g) => g.IndexName === 'byStatus');
    expect(byStatus?.KeySchema?.map((k) => k.AttributeName)).toEqual(['status', 'createdAt']);
    expect(byStatus?.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: ['region'] });
    expect(table?.GlobalSecondaryIndexes?.find((g) => g.IndexName === 'byNik')?.Projection?.ProjectionType).toBe('KEYS_ONLY');
    expect(table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });

    const ttl = (await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: names.Proposals97FA2A39 }))).TimeToLiveDescription;
    expect(ttl).toEqual({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });

    await dynamodb.send(
      new PutItemCommand({
        TableName: names.Proposals97FA2A39,
        Item: { pk: { S: 'P#1' }, sk: { S: 'META' }, status: { S: 'SUBMITTED' }, createdAt: { N: '1' }, region: { S: '81.03' }, secret: { S: 'x' } },
      }),
    );
    const viaIndex = await dynamodb.send(
      new QueryCommand({
        TableName: names.Proposals97FA2A39,
        IndexName: 'byStatus',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'SUBMITTED' } },
      }),
    );
    expect(viaIndex.Items?.[0]?.region?.S).toBe('81.03');
    expect(viaIndex.Items?.[0]?.secret).toBeUndefined(); // not projected
  });

  it('keeps an existing table and its items, adds an index the template gained, and is idempotent', async () => {
    const { dynamodb } = testClients();
    const prefix = uniqueName('cfnkeep');
    const nameFor = (id: string) => `${prefix}-${id}`;
    const full = proposalsTable().Properties;
    const withoutNik = proposalsTable({
      GlobalSecondaryIndexes: [full.GlobalSecondaryIndexes[0]],
      AttributeDefinitions: full.AttributeDefinitions.filter((a) => a.AttributeName !== 'nik'),
    });
    const names = await createTablesFromTemplate({ Resources: { T: withoutNik } }, dynamodb, { nameFor });
    await dynamodb.send(new PutItemCommand({ TableName: names.T, Item: { pk: { S: 'keep' }, sk: { S: 'me' }, nik: { S: '3171' } } }));

    await createTablesFromTemplate({ Resources: { T: proposalsTable() } }, dynamodb, { nameFor });
    await createTablesFromTemplate({ Resources: { T: proposalsTable() } }, dynamodb, { nameFor });

    const table = (await dynamodb.send(new DescribeTableCommand({ TableName: names.T }))).Table;
    expect(table?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort()).toEqual(['byNik', 'byStatus']);
    const found = await dynamodb.send(
      new QueryCommand({ TableName: names.T, IndexName: 'byNik', KeyConditionExpression: 'nik = :n', ExpressionAttributeValues: { ':n': { S: '3171' } } }),
    );
    expect(found.Items?.map((i) => i.pk?.S)).toEqual(['keep']);
    // DynamoDB Local builds an added index in the background, slowly when the whole suite shares the machine.
  }, 240_000);

  it('refuses an existing table whose key schema no longer matches the template', async () => {
    const { dynamodb } = testClients();
    const prefix = uniqueName('cfnkeys');
    const nameFor = (id: string) => `${prefix}-${id}`;
    await createTablesFromTemplate({ Resources: { T: proposalsTable() } }, dynamodb, { nameFor });
    const changed = proposalsTable({ KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] });
    const error = await localRuntimeErrorOf(createTablesFromTemplate({ Resources: { T: changed } }, dynamodb, { nameFor }));
    expect(error.code).toBe('TABLE_SCHEMA_CHANGED');
    expect(error.message).toContain('T');
  });

  it('refuses, naming the resource and property, a table streaming to Kinesis, and creates nothing', async () => {
    const { dynamodb } = testClients();
    const prefix = uniqueName('cfnkinesis');
    const template = {
      Resources: {
        Fine: proposalsTable(),
        Audit: proposalsTable({ Replicas: [{ Region: 'ap-southeast-3', KinesisStreamSpecification: { StreamArn: 'arn:aws:kinesis:ap-southeast-3:1:stream/x' } }] }),
      },
    };
    const error = await localRuntimeErrorOf(createTablesFromTemplate(template, dynamodb, { nameFor: (id) => `${prefix}-${id}` }));
    expect(error.code).toBe('UNSUPPORTED_TABLE_PROPERTY');
    expect(error.message).toContain('Audit');
    expect(error.message).toContain('KinesisStreamSpecification');
    const tables = (await dynamodb.send(new ListTablesCommand({}))).TableNames ?? [];
    expect(tables.filter((t) => t.startsWith(prefix))).toEqual([]);
  });

  it('refuses a property it does not know rather than ignoring it', async () => {
    const { dynamodb } = testClients();
    const error = await localRuntimeErrorOf(
      createTablesFromTemplate({ Resources: { Odd: proposalsTable({ SomethingNew: { Enabled: true } }) } }, dynamodb, { nameFor: (id) => uniqueName(id) }),
    );
    expect(error.code).toBe('UNSUPPORTED_TABLE_PROPERTY');
    expect(error.message).toMatch(/Odd.*SomethingNew/);
  });

  it('refuses unresolved CloudFormation functions in key definitions', async () => {
    const { dynamodb } = testClients();
    const error = await localRuntimeErrorOf(
      createTablesFromTemplate(
        { Resources: { Fn: proposalsTable({ KeySchema: [{ AttributeName: { Ref: 'KeyParam' }, KeyType: 'HASH' }] }) } },
        dynamodb,
        { nameFor: (id) => uniqueName(id) },
      ),
    );
    expect(error.code).toBe('INVALID_TABLE_DEFINITION');
    expect(error.message).toContain('KeySchema[0].AttributeName');
  });

  it('creates a classic AWS::DynamoDB::Table too', async () => {
    const { dynamodb } = testClients();
    const prefix = uniqueName('cfnclassic');
    const names = await createTablesFromTemplate(
      {
        Resources: {
          Legacy: {
            Type: 'AWS::DynamoDB::Table',
            Properties: {
              KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
              AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
              ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
              BillingMode: 'PROVISIONED',
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            },
          },
        },
      },
      dynamodb,
      { nameFor: (id) => `${prefix}-${id}` },
    );
    const table = (await dynamodb.send(new DescribeTableCommand({ TableName: names.Legacy }))).Table;
    expect(table?.TableStatus).toBe('ACTIVE');
    expect(table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
  });
});
