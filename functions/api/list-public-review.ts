import type { Proposal } from '../../domain/proposal.ts';
import { ApiError } from './errors.ts';
import { apiHandler, json, type ApiDeps, type ApiRequest } from './http.ts';
import { publicHousehold } from './public-household.ts';
import { routeFor } from './routes.ts';

const route = routeFor('listPublicReview');

/**
 * The village's public notice board (uji publik): who is proposed for what, so neighbours can object. Only what the
 * notice shows on paper leaves here: head's name, NIK masked to its district digits, RT/RW, programs, whether the
 * household is proposed for addition, removal (and why) or correction, end date.
 */
export async function listPublicReview(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const { villageCode } = request.params;
  // One stack serves one province; another province's village, or no village at all, has no board here.
  if (!deps.regions().isVillage(villageCode)) throw new ApiError('NOT_FOUND');

  const now = deps.now().getTime();
  const items = (await deps.store.proposalsInReview(villageCode))
    // Only reviews still open: what is listed is what can still be objected to.
    .filter((proposal) => proposal.review !== undefined && now < Date.parse(proposal.review.endsAt))
    .map(publicItem)
    .sort((a, b) => a.reviewEndsAt.localeCompare(b.reviewEndsAt) || a.proposalId.localeCompare(b.proposalId));
  return json(200, { villageCode, items });
}

function publicItem(proposal: Proposal) {
  return { ...publicHousehold(proposal), proposes: proposed(proposal), reviewEndsAt: proposal.review!.endsAt };
}

/** Which members leave stays off the board (only the head is named there): how many, and why. */
function proposed({ type = 'ADD', removal }: Proposal) {
  if (type !== 'REMOVE' || !removal) return { type };
  return { type, reason: removal.reason, ...(removal.members ? { membersLeaving: removal.members.length } : {}) };
}

export const handler = apiHandler(route, listPublicReview);
