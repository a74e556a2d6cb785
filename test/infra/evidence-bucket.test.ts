import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { EvidenceBucket } from '../../infra/evidence-bucket.ts';
import { constructStack, resourcesOfType } from './support.ts';

describe('EvidenceBucket', () => {
  let template: Template;
  let keyId: string;
  let evidenceId: string;
  let logsId: string;

  beforeAll(() => {
    const { stack, key } = constructStack();
    const evidence = new EvidenceBucket(stack, 'Evidence', { encryptionKey: key });
    template = Template.fromStack(stack);
    keyId = stack.getLogicalId(key.node.defaultChild as never);
    evidenceId = stack.getLogicalId(evidence.bucket.node.defaultChild as never);
    logsId = stack.getLogicalId(evidence.accessLogBucket.node.defaultChild as never);
  });

  const bucket = (id: string) => template.toJSON().Resources[id];
  const policyOf = (id: string) =>
    resourcesOfType(template, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === id)?.[1];

  it('blocks all public access on both buckets', () => {
    for (const id of [evidenceId, logsId]) {
      expect(bucket(id).Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it('denies every request that is not over TLS, on both buckets', () => {
    for (const id of [evidenceId, logsId]) {
      expect(policyOf(id)?.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('versions evidence and encrypts it with the province key and a bucket key', () => {
    expect(bucket(evidenceId).Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket(evidenceId).Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
          },
        },
      ],
    });
  });

  it('never expires current evidence, but cleans up failed uploads and old versions and tiers it down', () => {
    const rules = bucket(evidenceId).Properties.LifecycleConfiguration.Rules as Record<string, any>[];
    expect(rules).toContainEqual(expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }));
    expect(rules).toContainEqual(expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 90 } }));
    expect(rules).toContainEqual(
      expect.objectContaining({ Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 30 }] }),
    );
    for (const rule of rules) {
      expect(rule.Status).toBe('Enabled');
      expect(rule).not.toHaveProperty('ExpirationInDays');
    }
  });

  it('allows browser uploads with presigned POST/PUT and presigned GET', () => {
    expect(bucket(evidenceId).Properties.CorsConfiguration.CorsRules).toEqual([
      expect.objectContaining({
        AllowedMethods: ['POST', 'PUT', 'GET'],
        AllowedOrigins: ['*'],
        ExposedHeaders: ['ETag'],
      }),
    ]);
  });

  it('logs server access to a separate SSE-S3 bucket that the S3 logging service may write to', () => {
    expect(bucket(evidenceId).Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logsId },
      LogFilePrefix: 'evidence/',
    });
    expect(bucket(logsId).Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(policyOf(logsId)?.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
      }),
    );
    expect(bucket(logsId).Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ ExpirationInDays: 731 }),
    );
  });

  it('keeps both buckets when the stack is deleted', () => {
    for (const id of [evidenceId, logsId]) {
      expect(bucket(id)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResourceProperties('AWS::S3::Bucket', { OwnershipControls: Match.anyValue() });
  });
});
