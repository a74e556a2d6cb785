import { afterAll, describe, expect, it } from 'vitest';
import { removeTempOutdirs, resourcesOfType, synthProvince } from './support.ts';

describe('monthly cut-off in the province stack (cdk-nag runs in the synthesis)', () => {
  const { stack, template } = synthProvince();
  afterAll(removeTempOutdirs);
  const id = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
  const bucketId = id(stack.exports.bucket);
  const keyRef = { 'Fn::GetAtt': [expect.stringContaining('EncryptionKey'), 'Arn'] };

  it('keeps exports in a versioned bucket, encrypted with the province key, TLS only, never public, logged', () => {
    const [, bucket] = resourcesOfType(template, 'AWS::S3::Bucket').find(([logicalId]) => logicalId === bucketId)!;
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyRef });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: id(stack.evidence.accessLogBucket) }, LogFilePrefix: 'exports/' });
    const policies = resourcesOfType(template, 'AWS::S3::BucketPolicy').filter(([, policy]) => JSON.stringify(policy.Properties.Bucket) === JSON.stringify({ Ref: bucketId }));
    expect(JSON.stringify(policies)).toContain('aws:SecureTransport');
  });

  it('runs the cut-off at 01:00 WIT on the 17th, with the scheduled time in its input', () => {
    const [[, schedule]] = resourcesOfType(template, 'AWS::Scheduler::Schedule') as [[string, any]];
    expect(schedule.Properties.ScheduleExpression).toBe('cron(0 1 17 * ? *)');
    expect(schedule.Properties.ScheduleExpressionTimezone).toBe('Asia/Jayapura');
    expect(schedule.Properties.Target.Arn).toEqual({ 'Fn::GetAtt': [id(stack.cutoff.runner.function), 'Arn'] });
    expect(JSON.parse(schedule.Properties.Target.Input)).toEqual({ scheduledTime: '<aws.scheduler.scheduled-time>' });
  });

  it('lets the runner write only under exports/ and publish only on the outcome bus', () => {
    const policy = template.toJSON().Resources[id(stack.cutoff.runner.role.node.findChild('DefaultPolicy') as never)];
    const statements = policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
    const of = (action: string) => statements.filter((statement) => [statement.Action].flat().includes(action));
    expect(of('s3:PutObject').map((statement) => statement.Resource)).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/exports/*']] }]);
    expect(of('events:PutEvents').map((statement) => statement.Resource)).toEqual([{ 'Fn::GetAtt': [id(stack.outcomes.bus), 'Arn'] }]);
    expect(statements.some((statement) => [statement.Action].flat().some((action) => action.startsWith('s3:Get')))).toBe(false);
  });

  it('names the exports bucket only to the runner and the route that presigns downloads', () => {
    const readers = resourcesOfType(template, 'AWS::Lambda::Function')
      .filter(([, fn]) => fn.Properties.Environment?.Variables?.EXPORTS_BUCKET !== undefined)
      .map(([logicalId]) => logicalId);
    expect(readers.sort()).toEqual([id(stack.cutoff.runner.function), id(stack.api.functions.getExport.function)].sort());
  });
});
