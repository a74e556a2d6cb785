import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { ImportFileTooLarge, type ImportFiles } from './import-files.ts';

export class S3ImportFiles implements ImportFiles {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async read(key: string, maxBytes: number): Promise<Uint8Array | undefined> {
    let response;
    try {
      response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (error instanceof NoSuchKey || (error as Error).name === 'NoSuchKey') return undefined;
      throw error;
    }
    const size = response.ContentLength ?? 0;
    if (size > maxBytes) {
      // Not read: the policy caps uploads, so this is a file put there some other way.
      (response.Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw new ImportFileTooLarge(size);
    }
    return response.Body ? response.Body.transformToByteArray() : new Uint8Array();
  }
}

/** The import files of the bucket a Lambda's environment names (EVIDENCE_BUCKET). */
export function importFilesFromEnvironment(env: NodeJS.ProcessEnv): ImportFiles {
  const bucket = env.EVIDENCE_BUCKET;
  if (!bucket) throw new Error('EVIDENCE_BUCKET is not configured for this function');
  return new S3ImportFiles(new S3Client({ forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3) }), bucket);
}
