import { StageInput, stageHandler, systemActor, type StageDeps } from './shared/runtime.ts';
import { loadProposal } from './shared/proposals.ts';

const actor = systemActor('close-public-review');

/** Ends the public review: objections filed in the period send the proposal to adjudication. */
export async function closePublicReview(input: StageInput, deps: StageDeps) {
  const proposal = await loadProposal(deps, input);
  const objections = await deps.store.listObjections(proposal.id);
  if (proposal.stage === 'PUBLIC_REVIEW') {
    await deps.store.changeProposal(proposal.id, {
      expect: { version: proposal.version, status: ['IN_REVIEW'] },
      status: 'IN_REVIEW',
      stage: objections.length > 0 ? 'ADJUDICATION' : 'PUBLIC_REVIEW',
      audit: { actor, action: 'REVIEW_CLOSED', detail: { objections: objections.length } },
    });
  }
  return { objections: objections.length };
}

export const handler = stageHandler('close-public-review', StageInput, closePublicReview);
