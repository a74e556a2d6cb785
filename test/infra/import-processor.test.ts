import { describe, expect, it } from 'vitest';
import { RECORDS_TABLE_ACTIONS } from '../../infra/verval-function.ts';
import { provinceTemplate } from '../support/province-template.ts';
import { actionsOfStatements, idAt, logicalIdOfType, resourceAt, resourcesOfType, statementsOf } from './template-queries.ts';

const { template } = provinceTemplate('81');
const processorId = idAt(template, '/Imports/Processor/Function/Resource');
const processor = template.Resources[processorId]!.Properties;
const statements = statementsOf(template, idAt(template, '/Imports/Processor/Role/Resource'));
const bucketId = idAt(template, '/Evidence/Bucket/Resource');

describe('the import processor (province 81)', () => {
  it('runs process-import.ts for up to 15 minutes with 1 GB, built by the shared factory', () => {
    expect(processor).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: 1024,
      Timeout: 900,
    });
    expect(resourceAt(template, '/Imports/Processor/Role/Resource').Properties.Description).toBe('Verval 81 process-import.ts');
    expect(Object.keys(processor.Environment.Variables).sort()).toEqual(['EVIDENCE_BUCKET', 'PROVINCE_CODE', 'PROVINCE_CONFIG', 'TABLE_NAME']);
    expect(processor.Environment.Variables.EVIDENCE_BUCKET).toEqual({ Ref: bucketId });
  });

  it('starts on every object created under imports/ of the evidence bucket, and nowhere else', () => {
    const notifications = template.Resources[logicalIdOfType(template, 'Custom::S3BucketNotifications')]!.Properties;
    expect(notifications.BucketName).toEqual({ Ref: bucketId });
    expect(notifications.NotificationConfiguration).toEqual({
      LambdaFunctionConfigurations: [
        {
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'imports/' }] } },
          LambdaFunctionArn: { 'Fn::GetAtt': [processorId, 'Arn'] },
        },
      ],
    });
    const permission = resourcesOfType(template, 'AWS::Lambda::Permission').find(
      ([, p]) => p.Properties.FunctionName['Fn::GetAtt']?.[0] === processorId,
    )?.[1];
    expect(permission?.Properties).toMatchObject({
      Principal: 's3.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [bucketId, 'Arn'] },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });

  it('reads only imports/ (no listing, no writes to S3) and writes records', () => {
    const actions = actionsOfStatements(statements);
    expect(actions.filter((a) => a.startsWith('s3:'))).toEqual(['s3:GetObject']);
    const get = statements.find((s) => actionsOfStatements([s]).includes('s3:GetObject'));
    expect(get?.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/imports/*']] });
    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual([...RECORDS_TABLE_ACTIONS].sort());
    expect(actions.some((a) => a.startsWith('states:'))).toBe(false);
    const s3Decrypt = statements.find((s) => JSON.stringify(s.Condition ?? {}).includes('s3.ap-southeast-3.amazonaws.com'));
    expect(s3Decrypt?.Action).toBe('kms:Decrypt');
  });

  it("acknowledges the CDK notifications handler's managed policy (IAM4), whose own grant names the bucket only", () => {
    const [handlerRoleId, handlerRole] = resourcesOfType(template, 'AWS::IAM::Role').find(([id]) => id.startsWith('BucketNotificationsHandler'))!;
    expect(
      ((handlerRole.Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string }[]).map((rule) => rule.id),
    ).toEqual(['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]']);
    const handlerStatements = statementsOf(template, handlerRoleId);
    expect(handlerStatements).toEqual([
      expect.objectContaining({ Action: 's3:PutBucketNotification', Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] } }),
    ]);
  });
});
