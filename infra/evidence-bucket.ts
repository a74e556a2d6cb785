import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AccessLogBucket } from './access-log-bucket.ts';
import { provinceKeyBucketProps } from './private-bucket.ts';

/** Documents live under `proposals/<proposalId>/<kind>/<file>`; functions are granted this prefix only. */
export const EVIDENCE_KEY_PREFIX = 'proposals/';
/** Bulk-import files (CSV/XLSX) live under `imports/...`; a new object there starts the import processor. */
export const IMPORT_KEY_PREFIX = 'imports/';

/**
 * House photos, KK/KTP scans and signed minutes for every proposal. They are evidence for audits
 * of the register, so nothing current ever expires; only old versions and failed uploads do.
 */
export class EvidenceBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: { encryptionKey: kms.IKey }) {
    super(scope, id);
    this.accessLogBucket = new AccessLogBucket(this, 'AccessLogs').bucket;
    Validations.of(this.accessLogBucket.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is the destination of the evidence bucket server access logs; logging it into itself would loop, and into a third bucket would only move the question.',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...provinceKeyBucketProps({
        encryptionKey: props.encryptionKey,
        accessLogBucket: this.accessLogBucket,
        accessLogsPrefix: 'evidence/',
        lifecycleRules: [
          // A replaced or deleted document stays recoverable for a quarter, long enough to notice a mistake.
          { id: 'ExpireReplacedVersions', noncurrentVersionExpiration: Duration.days(90) },
          // Documents are read during checks and review (weeks), then rarely but indefinitely for audit.
          // Intelligent-Tiering moves them down without a retrieval fee when an auditor does come.
          {
            id: 'TierAfterReview',
            transitions: [{ storageClass: s3.StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(30) }],
          },
        ],
      }),
      cors: [
        {
          // Field apps upload from the browser with presigned POST/PUT and show documents with
          // presigned GET. The signature, not the origin, authorises each request (it fixes the key,
          // size and expiry), and operators' apps run from many origins (offline PWAs, local dev),
          // so any origin is allowed.
          allowedMethods: [s3.HttpMethods.POST, s3.HttpMethods.PUT, s3.HttpMethods.GET],
          allowedOrigins: ['*'],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
    });
  }
}
