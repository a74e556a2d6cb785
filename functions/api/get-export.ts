import { S3Client } from '@aws-sdk/client-s3';
import { S3UploadSigner } from '../adapters/s3-upload-signer.ts';
import { ApiError } from './errors.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { exportSummary } from './list-exports.ts';
import { routeFor } from './routes.ts';

const route = routeFor('getExport');

/** The files hold full NIK/KK: links last five minutes, long enough to start a download. */
const LINK_SECONDS = 300;

/** A cut-off export: its manifest, and a short-lived download link per file and for the manifest itself. */
export async function getExport(request: ApiRequest<typeof route>, deps: ApiDeps) {
  authorize(request, { regionCode: deps.provinceCode });
  const record = await deps.exports.getExport(request.params.id);
  if (!record) throw new ApiError('EXPORT_NOT_FOUND');
  const objects = [...record.manifest.files.map((file) => ({ name: file.name, key: record.fileKeys[file.name]! })), { name: 'manifest.json', key: record.manifestKey }];
  const links = await Promise.all(
    objects.map(async ({ name, key }) => ({ name, ...(await deps.exportLinks.presignDownload(key, LINK_SECONDS)) })),
  );
  return json(200, { ...exportSummary(record), manifest: record.manifest, links });
}

export const handler = apiHandler(route, getExport, {
  exportLinks: (env) => {
    const bucket = env.EXPORTS_BUCKET;
    if (!bucket) throw new Error('EXPORTS_BUCKET is not configured for this function');
    return new S3UploadSigner(new S3Client({ forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3) }), bucket);
  },
});
