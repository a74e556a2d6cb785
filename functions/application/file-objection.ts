import { ulid } from 'ulid';
import type { Objection, RecordsStore } from '../adapters/records-store.ts';
import { ConflictError } from '../adapters/records-store.ts';

export type ObjectionInput = Pick<Objection, 'category' | 'statement' | 'reporterName' | 'reporterContact'>;

/**
 * Stores a citizen's objection (sanggahan) while the proposal is in public review; the review's end
 * decides whether it goes to adjudication. The reporter's contact is kept for the adjudicator only.
 */
export async function fileObjection(
  deps: { store: RecordsStore; now: () => Date },
  proposalId: string,
  input: ObjectionInput,
): Promise<Objection> {
  const proposal = await deps.store.getProposal(proposalId);
  const now = deps.now();
  const open =
    proposal?.status === 'IN_REVIEW' &&
    proposal.stage === 'PUBLIC_REVIEW' &&
    proposal.review !== undefined &&
    now.getTime() < Date.parse(proposal.review.endsAt);
  if (!open) throw new ConflictError('The proposal is not in public review', 'NOT_IN_REVIEW');

  const objection: Objection = { objectionId: ulid(), proposalId, ...input, filedAt: now.toISOString() };
  await deps.store.addObjection(objection);
  await deps.store.appendAudit({
    proposalId,
    version: proposal.version,
    at: objection.filedAt,
    actor: { type: 'user', id: 'public' },
    action: 'OBJECTION_FILED',
    detail: { objectionId: objection.objectionId, category: objection.category },
  });
  return objection;
}
