import { StageInput, daysFromNow, stageHandler, systemActor, type StageDeps } from './shared/runtime.ts';
import { loadProposal } from './shared/proposals.ts';

const actor = systemActor('open-public-review');

/** Lists the proposal for its village's public review (uji publik) for the province's review period. */
export async function openPublicReview(input: StageInput, deps: StageDeps) {
  const proposal = await loadProposal(deps, input);
  if (proposal.status === 'IN_REVIEW' && proposal.review) return { endsAt: proposal.review.endsAt };

  const endsAt = daysFromNow(deps, deps.config.reviewDays);
  await deps.store.changeProposal(proposal.id, {
    expect: { version: proposal.version, status: ['SUBMITTED'] },
    status: 'IN_REVIEW',
    stage: 'PUBLIC_REVIEW',
    review: { endsAt },
    audit: { actor, action: 'REVIEW_OPENED', detail: { endsAt, reviewDays: deps.config.reviewDays } },
  });
  return { endsAt };
}

export const handler = stageHandler('open-public-review', StageInput, openPublicReview);
