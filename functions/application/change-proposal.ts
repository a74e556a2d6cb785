import type { ValidationIssue } from '../../domain/messages.ts';
import type { Proposal } from '../../domain/proposal.ts';
import {
  correctionIssues,
  removalIssues,
  targetIssues,
  type ChangeRequest,
  type RegisteredRecord,
  type RecordFields,
} from '../../domain/proposal-types.ts';
import { validateProposal } from '../../domain/validate-proposal.ts';
import type { RecordsStore } from '../adapters/records-store.ts';
import { draftProposal, proposalContext } from './draft-proposal.ts';

/*
 * REMOVE and UPDATE drafts: checked against the registered record they act on, whoever starts them (a village
 * operator's POST /proposals, or a citizen's objection against a registered household).
 */

type ChangeDeps = { store: RecordsStore } & Parameters<typeof proposalContext>[0];

export type ChangeDraft = { ok: true; proposal: Proposal } | { ok: false; issues: ValidationIssue[] };

const recordOf = (record: RecordFields): RecordFields => ({
  household: record.household,
  members: record.members,
  programs: record.programs,
  criteria: record.criteria,
});

/**
 * The DRAFT of a REMOVE (a copy of the target as registered) or an UPDATE (the corrected record, with the
 * target's as `previous`), or every reason it cannot be one. Nothing is written.
 */
export async function draftChangeProposal(
  deps: ChangeDeps,
  request: ChangeRequest,
  submittedBy: string,
  extra: Pick<Proposal, 'origin'> = {},
): Promise<ChangeDraft> {
  const target = await deps.store.getProposal(request.target.proposalId);
  const problems = targetIssues(target, request.villageCode);
  if (!target || problems.length > 0) return { ok: false, issues: problems };
  const now = deps.now();
  const fields = { target: request.target, ...(extra.origin ? { origin: extra.origin } : {}) };

  if (request.type === 'REMOVE') {
    const issues = removalIssues(request.removal, target, await duplicateOf(deps.store, request.removal.duplicateOf));
    if (issues.length > 0) return { ok: false, issues };
    const { provinceCode, regencyCode, districtCode, villageCode } = target;
    const copy = { provinceCode, regencyCode, districtCode, villageCode, ...recordOf(target) };
    return { ok: true, proposal: { ...draftProposal(copy, submittedBy, now), ...fields, type: 'REMOVE', removal: request.removal } };
  }

  const { type: _type, target: _target, correction, ...input } = request;
  const validation = validateProposal(input, proposalContext(deps));
  if (!validation.ok) return { ok: false, issues: validation.issues };
  const issues = correctionIssues(validation.proposal, target);
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    proposal: { ...draftProposal(validation.proposal, submittedBy, now), ...fields, type: 'UPDATE', correction, previous: recordOf(target) },
  };
}

/**
 * Why a submitted REMOVE or UPDATE can no longer go ahead: its target ended, was corrected or is claimed by
 * another case since the draft was made. Empty for an ADD.
 */
export async function changeIssues(store: RecordsStore, proposal: Proposal): Promise<ValidationIssue[]> {
  if (!proposal.target || proposal.type === 'ADD') return [];
  const target = await store.getProposal(proposal.target.proposalId);
  const problems = targetIssues(target, proposal.villageCode, proposal.id);
  if (!target || problems.length > 0) return problems;
  if (proposal.type === 'REMOVE' && proposal.removal) {
    return removalIssues(proposal.removal, target, await duplicateOf(store, proposal.removal.duplicateOf));
  }
  return correctionIssues(proposal, target);
}

async function duplicateOf(store: RecordsStore, proposalId: string | undefined): Promise<RegisteredRecord | undefined> {
  return proposalId ? store.getProposal(proposalId) : undefined;
}
