import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EncryptionKey } from '../../infra/encryption-key.ts';

describe('EncryptionKey', () => {
  const stack = new Stack(new App(), 'KeyTest', { env: { region: 'ap-southeast-3' } });
  new EncryptionKey(stack, 'EncryptionKey', { provinceCode: '81' });
  const template = Template.fromStack(stack);

  it('is one customer-managed key with yearly rotation, kept when the stack goes', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    });
  });

  it("lets CloudWatch Logs in the stack's region use it, only for this account's log groups", () => {
    const [key] = Object.values(template.findResources('AWS::KMS::Key')) as any[];
    const logs = key.Properties.KeyPolicy.Statement.find(
      (statement: any) => statement.Principal?.Service === 'logs.ap-southeast-3.amazonaws.com',
    );
    expect(logs).toBeDefined();
    expect(JSON.stringify(logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'])).toContain(
      ':logs:ap-southeast-3:',
    );
  });
});
