import type { S3Event } from 'aws-lambda';
import { importFilesFromEnvironment } from './adapters/s3-import-files.ts';
import { processImportEvent, type ImportDeps } from './application/import-batch.ts';
import { depsFromEnvironment } from './shared/runtime.ts';

let deps: ImportDeps | undefined;

/**
 * Runs the bulk import whose file was just uploaded (S3 ObjectCreated under imports/); the work is in
 * functions/application/import-batch.ts. A failure is thrown so Lambda's asynchronous retry runs it again,
 * which an import survives: every step of it is idempotent.
 */
export async function handler(event: S3Event): Promise<void> {
  deps ??= {
    ...depsFromEnvironment(process.env),
    bucket: process.env.EVIDENCE_BUCKET ?? '',
    files: importFilesFromEnvironment(process.env),
  };
  await processImportEvent(event, deps);
}
