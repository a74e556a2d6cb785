import { fileObjection as storeObjection } from '../application/file-objection.ts';
import { ApiError } from './errors.ts';
import { apiHandler, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';

const route = routeFor('fileObjection');

/**
 * A citizen's objection (sanggahan) to a proposal in public review. Anyone may file one, rate-limited per
 * client; outside the review the application refuses it (409 NOT_IN_REVIEW).
 */
export async function fileObjection(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const { params, body } = request;
  // An unknown id is told apart from a proposal whose review is not open.
  if (!(await deps.store.getProposal(params.proposalId))) throw new ApiError('PROPOSAL_NOT_FOUND');
  const { objectionId } = await storeObjection(deps, params.proposalId, body);
  return json(201, { objectionId });
}

export const handler = apiHandler(route, fileObjection);
