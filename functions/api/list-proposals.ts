import type { Proposal } from '../../domain/proposal.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';

const route = routeFor('listProposals');

/**
 * A page of the proposals in the caller's region (or a region or village inside it), by village, then
 * creation. The cursor is the store's: one handed out for another region, or altered, is a 400.
 */
export async function listProposals(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const { caller, query } = request;
  const region = query.region ?? caller.region;
  authorize(request, { regionCode: region });
  if (query.village !== undefined) authorize(request, { regionCode: query.village });

  const page = await deps.store.listProposals({
    region,
    ...(query.village !== undefined ? { villageCode: query.village } : {}),
    ...(query.status !== undefined ? { status: query.status } : {}),
    limit: query.limit,
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
  });
  return json(200, { items: page.items.map(summary), ...(page.cursor !== undefined ? { cursor: page.cursor } : {}) });
}

/** What a list row shows: no identity numbers at all. */
function summary(proposal: Proposal) {
  const head = proposal.members.find((member) => member.relationship === 'KEPALA_KELUARGA') ?? proposal.members[0];
  return {
    proposalId: proposal.id,
    version: proposal.version,
    status: proposal.status,
    stage: proposal.stage,
    villageCode: proposal.villageCode,
    householdHead: head?.fullName ?? '',
    memberCount: proposal.members.length,
    programs: [...proposal.programs],
    updatedAt: proposal.updatedAt,
    ...(proposal.origin ? { origin: { ...proposal.origin } } : {}),
  };
}

export const handler = apiHandler(route, listProposals);
