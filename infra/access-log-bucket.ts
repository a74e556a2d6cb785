import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ABORT_INCOMPLETE_UPLOADS, PRIVATE_BUCKET } from './private-bucket.ts';

/**
 * A bucket other buckets' S3 server access logs (and, with `cloudFrontLogs`, a distribution's standard logs) go
 * to: SSE-S3, because S3 log delivery cannot write to SSE-KMS buckets; private, TLS only, kept two years.
 */
export class AccessLogBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: { cloudFrontLogs?: boolean } = {}) {
    super(scope, id);
    // Grant S3 log delivery through a bucket policy, not the legacy log-delivery ACL. Read where the log bucket
    // is, so set here it holds in any app.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    // 'Default': the bucket keeps the logical id it would have as a direct child of `scope`.
    this.bucket = new s3.Bucket(this, 'Default', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      ...PRIVATE_BUCKET,
      // CloudFront standard logging writes with ACLs (its awslogsdelivery account), so ACLs stay enabled for it
      // (BucketOwnerPreferred: the account still owns every object); otherwise they are off.
      objectOwnership: props.cloudFrontLogs ? s3.ObjectOwnership.BUCKET_OWNER_PREFERRED : s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'ExpireLogsAfterTwoYears', expiration: Duration.days(731) }, ABORT_INCOMPLETE_UPLOADS],
    });
  }
}
