import { ulid } from 'ulid';
import { IMPORT_CONTENT_TYPES, IMPORT_MAX_BYTES, importObjectKey } from '../adapters/import-files.ts';
import { s3UploadSigner } from '../adapters/s3-upload-signer.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';
import { UPLOAD_EXPIRY_SECONDS } from './upload-slots.ts';

const route = routeFor('startImport');

/**
 * Opens a bulk import for the operator's village and hands back the one place its file may go: a presigned POST
 * pinned to `imports/<id>/batch.<format>`, the format's MIME type and 10 MB. The upload itself starts the
 * processing (S3 ObjectCreated → process-import), so nothing else needs calling.
 */
export async function startImport(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const { caller, body } = request;
  // An operator's region is their village: the import is for it, and only for it.
  const villageCode = caller.region;
  authorize(request, { regionCode: villageCode });

  const now = deps.now();
  const importId = ulid(now.getTime());
  const key = importObjectKey(importId, body.format);
  await deps.store.createImport({
    importId,
    villageCode,
    createdBy: caller.sub,
    format: body.format,
    key,
    status: 'WAITING_FOR_UPLOAD',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    processedRows: 0,
    acceptedRows: 0,
    rejectedRows: 0,
  });
  const contentType = IMPORT_CONTENT_TYPES[body.format];
  const slot = await deps.uploads.presignUpload({
    key,
    contentType,
    maxBytes: IMPORT_MAX_BYTES,
    expiresInSeconds: UPLOAD_EXPIRY_SECONDS,
  });
  return json(201, {
    importId,
    upload: { kind: 'import', ...slot, maxBytes: IMPORT_MAX_BYTES, contentTypes: [contentType] },
  });
}

export const handler = apiHandler(route, startImport, { uploads: s3UploadSigner });
