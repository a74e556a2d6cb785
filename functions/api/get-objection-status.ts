import { objectionStatus } from '../application/registry-objection.ts';
import { ApiError } from './errors.ts';
import { apiHandler, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';

const route = routeFor('getObjectionStatus');

/** "Cek status sanggahan": where the objection's case stands, under the receipt code; nothing personal. */
export async function getObjectionStatus(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const status = await objectionStatus(
    { store: deps.store, objections: deps.registryObjections, now: deps.now },
    request.params.receipt,
  );
  if (!status) throw new ApiError('RECEIPT_NOT_FOUND');
  return json(200, status);
}

export const handler = apiHandler(route, getObjectionStatus);
