import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { IdentityHashSecret } from '../../infra/identity-hash-secret.ts';
import { constructStack } from './support.ts';

describe('IdentityHashSecret', () => {
  const { stack, key } = constructStack();
  const { secret } = new IdentityHashSecret(stack, 'IdentityHashSecret', { encryptionKey: key });
  const template = Template.fromStack(stack);
  const keyId = stack.getLogicalId(key.node.defaultChild as never);

  it('generates a 64-character key of letters and digits, encrypted with the province key', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });

  it('is never rotated automatically nor deleted with the stack: both would orphan the stored hashes', () => {
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });

  it('acknowledges the missing rotation (AwsSolutions-SMG4) with the re-keying reason', () => {
    const acknowledged = secret.node.defaultChild!.node.metadata
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
    expect(acknowledged).toContainEqual([expect.stringMatching(/AwsSolutions-SMG4$/), expect.stringMatching(/orphan/)]);
  });
});
