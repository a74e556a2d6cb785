import { ulid } from 'ulid';
import type { Status } from '../../domain/lifecycle.ts';
import { evidenceRequirements, requirementKinds } from '../../domain/proposal-types.ts';
import type { DocumentKind, ProvinceConfig } from '../../domain/province-config.ts';
import { proposalPrefix } from '../adapters/evidence-store.ts';
import type { UploadSigner } from '../adapters/upload-signer.ts';
import { ApiError } from './errors.ts';

/** Upload links last 15 minutes: long enough for a slow village connection, short enough to be useless if leaked. */
export const UPLOAD_EXPIRY_SECONDS = 15 * 60;

const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'application/pdf': 'pdf',
  'text/csv': 'csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};

/**
 * Evidence is uploaded while the village still holds the proposal: as a draft, or returned and about to be
 * revised. A submitted proposal gets no new slots (one handed out just before stays valid for its 15 minutes).
 */
export const acceptsUploads = (status: Status) => status === 'DRAFT' || status === 'RETURNED';

export type DocumentRequest = { kind: DocumentKind; contentType?: string | undefined };

/**
 * One presigned POST per requested document, each pinned to a fresh key under `proposals/<id>/<kind>/`,
 * one content type the document accepts (its first unless the client asks for another) and its size limit.
 */
export async function documentUploadSlots(
  deps: { config: ProvinceConfig; uploads: UploadSigner },
  proposal: { id: string; version: number },
  documents: readonly DocumentRequest[],
) {
  return Promise.all(
    documents.map(async ({ kind, contentType }) => {
      const rule = deps.config.documents[kind];
      const type = contentType ?? rule.contentTypes[0]!;
      if (!rule.contentTypes.includes(type)) throw new ApiError('CONTENT_TYPE_NOT_ALLOWED');
      // The version in the name lets the evidence check count only this version's replacements.
      const key = `${proposalPrefix(proposal.id)}${kind}/v${proposal.version}-${ulid()}.${EXTENSIONS[type] ?? 'bin'}`;
      const slot = await deps.uploads.presignUpload({
        key,
        contentType: type,
        maxBytes: rule.maxBytes,
        expiresInSeconds: UPLOAD_EXPIRY_SECONDS,
      });
      return { kind, ...slot, maxBytes: rule.maxBytes, contentTypes: [type] };
    }),
  );
}

/**
 * The documents a proposal needs, one slot each: for an ADD those its programs require, for a REMOVE or UPDATE
 * those of its type and reason. Where any one of several documents will do (a death certificate or a village
 * letter), each gets a slot and the village uploads the one it has.
 */
export function requiredDocuments(config: ProvinceConfig, proposal: Parameters<typeof evidenceRequirements>[1]): DocumentRequest[] {
  return requirementKinds(evidenceRequirements(config, proposal)).map((kind) => ({ kind }));
}
