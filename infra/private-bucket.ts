import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/** Every bucket of the stack: never public, TLS only, kept when the stack is deleted. */
export const PRIVATE_BUCKET = {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  removalPolicy: RemovalPolicy.RETAIN,
} satisfies s3.BucketProps;

/** Failed uploads leave parts that are billed but never seen. */
export const ABORT_INCOMPLETE_UPLOADS: s3.LifecycleRule = { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) };

/**
 * A bucket of the province's records (evidence, exports): encrypted with the province key, ACLs off, versioned,
 * access-logged under `accessLogsPrefix`; failed uploads are cleaned up before `lifecycleRules`.
 */
export function provinceKeyBucketProps(props: {
  encryptionKey: kms.IKey;
  accessLogBucket: s3.IBucket;
  accessLogsPrefix: string;
  lifecycleRules: s3.LifecycleRule[];
}): s3.BucketProps {
  return {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: props.encryptionKey,
    // One data key per bucket instead of one KMS call per object.
    bucketKeyEnabled: true,
    ...PRIVATE_BUCKET,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    serverAccessLogsBucket: props.accessLogBucket,
    serverAccessLogsPrefix: props.accessLogsPrefix,
    lifecycleRules: [ABORT_INCOMPLETE_UPLOADS, ...props.lifecycleRules],
  };
}
