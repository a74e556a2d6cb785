import { importView } from '../application/import-report.ts';
import { ApiError } from './errors.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';

const route = routeFor('getImport');

/** An import's progress while it runs, then its report: the drafts it created and every rejected row and why. */
export async function getImport(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const job = await deps.store.getImport(request.params.id);
  if (!job) throw new ApiError('IMPORT_NOT_FOUND');
  authorize(request, { regionCode: job.villageCode });
  // An outcome and its count are written together; read after the job, the lists may run a little ahead while it runs.
  const outcomes = await deps.store.importOutcomes(job.importId);
  return json(200, importView(job, outcomes, request.lang));
}

export const handler = apiHandler(route, getImport);
