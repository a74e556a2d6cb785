import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * The HMAC key behind every NIK/KK lock (`NIK#<keyed hash>`): duplicates are found without storing
 * the numbers themselves, and the hashes are worthless without this key.
 */
export class IdentityHashSecret extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: { encryptionKey: kms.IKey }) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'HMAC key for NIK/KK lookups. Do not rotate: see infra/README.md (re-keying).',
      encryptionKey: props.encryptionKey,
      // The whole SecretString is the key: 64 letters and digits, about 380 bits.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      // Deleting it would orphan every stored keyed hash.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the HMAC key would orphan every stored NIK/KK keyed hash, so duplicates would go undetected. Re-keying is a planned migration (infra/README.md), not a scheduled rotation.',
    });
  }
}
