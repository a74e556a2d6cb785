import { maskNik } from '../../domain/masking.ts';
import type { Proposal } from '../../domain/proposal.ts';
import { ApiError } from './errors.ts';
import { apiHandler, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';

const route = routeFor('listPublicReview');

/**
 * The village's public notice board (uji publik): who is proposed, so neighbours can object. Only what the
 * notice shows on paper leaves here: head's name, NIK masked to its district digits, RT/RW, programs, end date.
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

/** Built field by field, never by spreading a record, so nothing personal can slip in unnoticed. */
function publicItem(proposal: Proposal) {
  const head = proposal.members.find((member) => member.relationship === 'KEPALA_KELUARGA') ?? proposal.members[0]!;
  return {
    proposalId: proposal.id,
    householdHead: head.fullName,
    nikMasked: maskNik(head.nik),
    rt: proposal.household.rt,
    rw: proposal.household.rw,
    programs: [...proposal.programs],
    reviewEndsAt: proposal.review!.endsAt,
  };
}

export const handler = apiHandler(route, listPublicReview);
