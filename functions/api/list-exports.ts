import type { ExportRecord } from '../adapters/exports-store.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';

const route = routeFor('listExports');

/** Twelve years of monthly cut-offs: more than an admin pages through. */
const MAX_EXPORTS = 144;

export const exportSummary = (record: ExportRecord) => ({
  id: record.cutoff,
  cutoff: record.cutoff,
  window: record.manifest.window,
  counts: record.manifest.counts,
  manifestSha256: record.manifestSha256,
  generatedAt: record.manifest.generatedAt,
});

/** The province's cut-off exports, newest first. */
export async function listExports(request: ApiRequest<typeof route>, deps: ApiDeps) {
  authorize(request, { regionCode: deps.provinceCode });
  const records = await deps.exports.listExports(MAX_EXPORTS);
  return json(200, { exports: records.map(exportSummary) });
}

export const handler = apiHandler(route, listExports);
