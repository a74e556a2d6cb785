import { ulid } from 'ulid';
import type { Proposal, ProposalInput } from '../../domain/proposal.ts';
import type { RegionDirectory } from '../../domain/regions.ts';
import type { ProposalContext } from '../../domain/validate-proposal.ts';
import { IdempotencyKeyUsed, type Actor, type CreateProposalOptions, type RecordsStore } from '../adapters/records-store.ts';

/*
 * A new DRAFT, the same whether one village operator types it (POST /proposals) or a bulk import reads it
 * from a file: both validate against the same context and store the same record.
 */

/** What the domain validation checks a new proposal against. "Today" is the UTC date, as the API has always used. */
export function proposalContext(deps: { regions: () => RegionDirectory; provinceCode: string; now: () => Date }): ProposalContext {
  return { regions: deps.regions(), provinceCode: deps.provinceCode, today: deps.now().toISOString().slice(0, 10) };
}

/** The DRAFT record of a validated input, version 1, submitted by `submittedBy`. */
export function draftProposal(input: ProposalInput, submittedBy: string, now: Date): Proposal {
  const at = now.toISOString();
  return {
    ...input,
    type: 'ADD',
    id: ulid(now.getTime()),
    version: 1,
    status: 'DRAFT',
    stage: 'DRAFT',
    submittedBy,
    createdAt: at,
    updatedAt: at,
    reasons: [],
    flags: [],
  };
}

/**
 * Stores the draft, audited as CREATED. With an idempotency key that was used before, nothing is written and
 * the first request's proposal comes back (`created: false`); `sameRequest` says whether that request was this one.
 * With an import outcome, the outcome is recorded in the same write (see RecordsStore.createProposal).
 */
export async function saveDraft(
  store: RecordsStore,
  proposal: Proposal,
  actor: Actor,
  options: CreateProposalOptions = {},
): Promise<{ proposalId: string; created: true } | { proposalId: string; created: false; sameRequest: boolean }> {
  const { idempotency } = options;
  try {
    await store.createProposal(proposal, { actor, action: 'CREATED' }, options);
    return { proposalId: proposal.id, created: true };
  } catch (error) {
    if (!(error instanceof IdempotencyKeyUsed) || !idempotency) throw error;
    return { proposalId: error.first.proposalId, created: false, sameRequest: error.first.requestHash === idempotency.requestHash };
  }
}
