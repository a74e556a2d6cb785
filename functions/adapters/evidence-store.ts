/** Read access to the evidence a village uploaded. The S3 implementation is the only one; tests use real S3-compatible storage. */
export type StoredDocument = { key: string; kind: string; size: number };

export interface EvidenceStore {
  /** Every document under `proposals/<id>/`, grouped by the kind folder its key names. */
  listDocuments(proposalId: string): Promise<StoredDocument[]>;
  /** The document's bytes. Callers check the listed size against the limit first. */
  read(key: string): Promise<Uint8Array>;
}

export const proposalPrefix = (proposalId: string) => `proposals/${proposalId}/`;
