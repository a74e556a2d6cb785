import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ExportFiles } from './export-files.ts';

export class S3ExportFiles implements ExportFiles {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    // The bucket's default encryption (the province key) applies; the SDK adds the body's checksum.
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }
}

/** The exports bucket a Lambda's environment names (EXPORTS_BUCKET). Path-style addressing for a local S3 endpoint. */
export function s3ExportFiles(env: NodeJS.ProcessEnv): ExportFiles {
  const bucket = env.EXPORTS_BUCKET;
  if (!bucket) throw new Error('EXPORTS_BUCKET is not configured for this function');
  return new S3ExportFiles(new S3Client({ forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3) }), bucket);
}
