/** A presigned POST a browser or a script can send a file with, and short-lived links to read documents. */
export type UploadSlot = {
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
};

export type UploadPolicy = {
  /** The object key, fixed by the policy. */
  key: string;
  contentType: string;
  maxBytes: number;
  expiresInSeconds: number;
};

export interface UploadSigner {
  presignUpload(policy: UploadPolicy): Promise<UploadSlot>;
  presignDownload(key: string, expiresInSeconds: number): Promise<{ url: string; expiresAt: string }>;
}
