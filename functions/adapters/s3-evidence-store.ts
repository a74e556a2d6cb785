import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { proposalPrefix, type EvidenceStore, type StoredDocument } from './evidence-store.ts';

export class S3EvidenceStore implements EvidenceStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async listDocuments(proposalId: string): Promise<StoredDocument[]> {
    const prefix = proposalPrefix(proposalId);
    const documents: StoredDocument[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken }),
      );
      for (const object of page.Contents ?? []) {
        const [kind, ...file] = object.Key!.slice(prefix.length).split('/');
        // Only `<kind>/<file>` keys are documents; anything else under the prefix is not evidence.
        if (kind && file.length > 0 && file.join('/')) documents.push({ key: object.Key!, kind, size: object.Size ?? 0 });
      }
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    return documents;
  }

  async read(key: string): Promise<Uint8Array> {
    const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return Body ? Body.transformToByteArray() : new Uint8Array();
  }
}

/** The evidence store a Lambda's environment names. Path-style addressing where a local S3 endpoint is set. */
export function evidenceStoreFromEnvironment(env: NodeJS.ProcessEnv): EvidenceStore {
  const bucket = env.EVIDENCE_BUCKET;
  if (!bucket) throw new Error('EVIDENCE_BUCKET is not configured for this function');
  return new S3EvidenceStore(new S3Client({ forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3) }), bucket);
}
