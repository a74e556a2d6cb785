import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { RecordsTable } from '../../infra/records-table.ts';
import { constructStack, resourcesOfType } from './support.ts';

describe('RecordsTable', () => {
  let template: Template;
  let keyId: string;

  beforeAll(() => {
    const { stack, key } = constructStack();
    new RecordsTable(stack, 'Records', { encryptionKey: key });
    template = Template.fromStack(stack);
    keyId = stack.getLogicalId(key.node.defaultChild as never);
  });

  it('is one on-demand table keyed by pk and sk', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
  });

  it('has the byVillage, inbox, registry, byRegion and changes indexes, each projecting ALL', () => {
    const [[, table]] = resourcesOfType(template, 'AWS::DynamoDB::GlobalTable') as [[string, any]];
    const indexes = Object.fromEntries(
      table.Properties.GlobalSecondaryIndexes.map((index: any) => [
        index.IndexName,
        { keys: index.KeySchema.map((key: any) => `${key.KeyType}:${key.AttributeName}`), projection: index.Projection },
      ]),
    );
    expect(indexes).toEqual({
      byVillage: { keys: ['HASH:gsi1pk', 'RANGE:gsi1sk'], projection: { ProjectionType: 'ALL' } },
      inbox: { keys: ['HASH:gsi2pk', 'RANGE:gsi2sk'], projection: { ProjectionType: 'ALL' } },
      registry: { keys: ['HASH:gsi3pk', 'RANGE:gsi3sk'], projection: { ProjectionType: 'ALL' } },
      byRegion: { keys: ['HASH:gsi4pk', 'RANGE:gsi4sk'], projection: { ProjectionType: 'ALL' } },
      changes: { keys: ['HASH:gsi5pk', 'RANGE:gsi5sk'], projection: { ProjectionType: 'ALL' } },
    });
    const attributes = table.Properties.AttributeDefinitions.map((a: any) => `${a.AttributeName}:${a.AttributeType}`);
    expect(attributes.sort()).toEqual([
      'gsi1pk:S',
      'gsi1sk:S',
      'gsi2pk:S',
      'gsi2sk:S',
      'gsi3pk:S',
      'gsi3sk:S',
      'gsi4pk:S',
      'gsi4sk:S',
      'gsi5pk:S',
      'gsi5sk:S',
      'pk:S',
      'sk:S',
    ]);
  });

  it('keeps point-in-time recovery, deletion protection and the table on stack deletion', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          }),
        ],
      }),
    });
  });

  it('encrypts with the customer-managed key', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        Match.objectLike({ SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } } }),
      ],
    });
  });

  it('expires idempotency keys through the expiresAt TTL attribute', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });
});
