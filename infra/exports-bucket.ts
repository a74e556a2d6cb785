import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { provinceKeyBucketProps } from './private-bucket.ts';

/** Cut-off exports live under `exports/<cut-off month>/` (functions/adapters/export-files.ts). */
export const EXPORT_KEY_PREFIX = 'exports/';

/**
 * The monthly cut-off exports for the national submission (DTSEN): full NIK and KK, so encrypted with the
 * province key, never public, TLS only. Versioned and never expired: an export is the record of what was
 * submitted. Access logs go to the stack's existing access-log bucket.
 */
export class ExportsBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: { encryptionKey: kms.IKey; accessLogBucket: s3.IBucket }) {
    super(scope, id);
    this.bucket = new s3.Bucket(
      this,
      'Bucket',
      provinceKeyBucketProps({
        encryptionKey: props.encryptionKey,
        accessLogBucket: props.accessLogBucket,
        accessLogsPrefix: 'exports/',
        lifecycleRules: [
          // Read in the days after the cut-off, then only by auditors: cheaper tiers without a retrieval fee.
          { id: 'TierAfterSubmission', transitions: [{ storageClass: s3.StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(30) }] },
        ],
      }),
    );
  }
}
