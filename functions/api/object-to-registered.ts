import { objectToRegistered as fileObjection } from '../application/registry-objection.ts';
import { apiHandler, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';

const route = routeFor('objectToRegistered');

/**
 * A citizen's objection against a registered household (application/registry-objection.ts): it opens a REMOVE or
 * UPDATE case at the household's village, or joins the one already open, and answers with the receipt code the
 * reporter checks it with. 404 for an unknown household, 409 NOT_REGISTERED for one not (or no longer) registered.
 */
export async function objectToRegistered(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const { receipt } = await fileObjection(
    { store: deps.store, objections: deps.registryObjections, now: deps.now },
    request.params.proposalId,
    request.body,
  );
  return json(201, { receipt });
}

export const handler = apiHandler(route, objectToRegistered);
