import { withdrawCase } from '../application/registry-objection.ts';
import { ApiError } from './errors.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';

const route = routeFor('withdrawProposal');

/**
 * The village tier (its operators and the kepala desa/lurah) closes a REMOVE or UPDATE draft it finds unfounded,
 * without running the workflow: 409 NOT_A_DRAFT once submitted, NOT_A_CASE for an ADD.
 */
export async function withdrawProposal(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const proposal = await deps.store.getProposal(request.params.id);
  if (!proposal) throw new ApiError('PROPOSAL_NOT_FOUND');
  authorize(request, { regionCode: proposal.villageCode });
  const withdrawn = await withdrawCase(deps.store, proposal, request.body.reason, { type: 'user', id: request.caller.sub });
  return json(200, { proposalId: withdrawn.id, version: withdrawn.version, status: 'REJECTED' });
}

export const handler = apiHandler(route, withdrawProposal);
