import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { UploadPolicy, UploadSigner, UploadSlot } from './upload-signer.ts';

/**
 * Presigned POSTs whose policy pins the exact key, the Content-Type and a size range, so S3 itself refuses
 * anything else: a client can neither write outside the proposal's folder nor send another type or size.
 */
export class S3UploadSigner implements UploadSigner {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    /** Signing time of download links (presigned POSTs take the SDK's clock; their expiry is read back from the policy). */
    private readonly now: () => Date = () => new Date(),
  ) {}

  async presignUpload(policy: UploadPolicy): Promise<UploadSlot> {
    const { url, fields } = await createPresignedPost(this.client, {
      Bucket: this.bucket,
      Key: policy.key,
      Conditions: [
        ['eq', '$key', policy.key],
        ['eq', '$Content-Type', policy.contentType],
        ['content-length-range', 1, policy.maxBytes],
      ],
      Fields: { 'Content-Type': policy.contentType },
      Expires: policy.expiresInSeconds,
    });
    return { url, fields, expiresAt: policyExpiration(fields) };
  }

  async presignDownload(key: string, expiresInSeconds: number) {
    const signingDate = this.now();
    const url = await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: expiresInSeconds,
      signingDate,
    });
    return { url, expiresAt: new Date(signingDate.getTime() + expiresInSeconds * 1000).toISOString() };
  }
}

/**
 * The expiry S3 will enforce, read from the signed policy itself: the SDK signs with its own clock and drops
 * the milliseconds, so an expiry computed here could promise a client up to a second more than it gets.
 */
function policyExpiration(fields: Record<string, string>): string {
  const encoded = Object.entries(fields).find(([name]) => name.toLowerCase() === 'policy')?.[1];
  if (encoded === undefined) throw new Error('The presigned POST carries no policy');
  const { expiration } = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as { expiration: string };
  return new Date(expiration).toISOString();
}

/** The signer a Lambda's environment names (EVIDENCE_BUCKET). Path-style addressing for a local S3 endpoint. */
export function s3UploadSigner(env: NodeJS.ProcessEnv): UploadSigner {
  const bucket = env.EVIDENCE_BUCKET;
  if (!bucket) throw new Error('EVIDENCE_BUCKET is not configured for this function');
  return new S3UploadSigner(new S3Client({ forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3) }), bucket);
}
