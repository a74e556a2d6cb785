import { issue } from '../../domain/messages.ts';
import { proposalInputOf } from '../../domain/proposal.ts';
import { correctionIssues } from '../../domain/proposal-types.ts';
import type { RevisedRecord, StoredProposal } from '../adapters/records-store.ts';
import { s3UploadSigner } from '../adapters/s3-upload-signer.ts';
import { changeIssues } from '../application/change-proposal.ts';
import { validatedInput } from './create-proposal.ts';
import { ApiError } from './errors.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';
import { documentUploadSlots, requiredDocuments } from './upload-slots.ts';

const route = routeFor('reviseProposal');
type Body = ApiRequest<typeof route>['body'];

/**
 * Changes a proposal the village still holds, under the rules a new one of its type meets, and hands out fresh
 * upload slots for the documents it now requires.
 *
 * A DRAFT is edited in place and keeps its version: this is how the village completes a case an objection opened
 * (the corrected record of an UPDATE, the members or original of a REMOVE) before submitting it. A RETURNED ADD or
 * UPDATE becomes the DRAFT of its next version. Type, target and origin never change.
 *
 * The earlier version's documents stay under the proposal's prefix and still count for every kind the
 * revision does not re-upload; a kind it does re-upload counts only the new files (upload keys carry the version).
 */
export async function reviseProposal(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const { params, body, caller } = request;
  const proposal = await deps.store.getProposal(params.id);
  if (!proposal) throw new ApiError('PROPOSAL_NOT_FOUND');
  authorize(request, { regionCode: proposal.villageCode });
  // Nor may a whole record move the proposal out of the caller's region (a REMOVE's or UPDATE's is its target's).
  if (body.type === undefined || body.type === 'ADD') authorize(request, { regionCode: body.villageCode });
  // Answered before validation, so a stale form hears "reload" rather than a list of field problems;
  // the store checks both again in its conditional write.
  if (proposal.version !== body.version || (body.updatedAt !== undefined && body.updatedAt !== proposal.updatedAt)) {
    throw new ApiError('VERSION_CONFLICT');
  }
  if (proposal.status !== 'DRAFT' && proposal.status !== 'RETURNED') throw new ApiError('NOT_RETURNED');
  // A returned removal's record is a copy of the registered one: there is nothing of it to revise.
  if (proposal.status === 'RETURNED' && proposal.type === 'REMOVE') throw new ApiError('REMOVAL_NOT_REVISABLE');
  const record = await revisedRecord(proposal, body, deps);

  const audit = { actor: { type: 'user' as const, id: caller.sub } };
  const expect = { version: body.version, ...(body.updatedAt ? { updatedAt: body.updatedAt } : {}) };
  const saved =
    proposal.status === 'DRAFT'
      ? await deps.store.editDraft(proposal.id, record, expect, audit)
      : await deps.store.reviseProposal(proposal.id, record, expect, audit);
  const uploads = await documentUploadSlots(deps, saved, requiredDocuments(deps.config, saved));
  return json(200, { proposalId: saved.id, version: saved.version, status: 'DRAFT', uploads });
}

/** The record the body leaves the proposal with, or 422 PROPOSAL_INVALID with every rule it breaks. */
async function revisedRecord(proposal: StoredProposal, body: Body, deps: ApiDeps): Promise<RevisedRecord> {
  const type = body.type ?? 'ADD';
  // Stored before proposal types: an ADD.
  const stored = proposal.type ?? 'ADD';
  // A RETURNED UPDATE may still be revised with its record alone, as before drafts could be edited.
  const recordOnly = type === 'ADD' && stored === 'UPDATE' && proposal.status === 'RETURNED';
  if (type !== stored && !recordOnly) throw new ApiError('PROPOSAL_INVALID', [issue('type', 'TYPE_CHANGED', { type: stored })]);
  if (body.type === 'REMOVE') return standing(deps, proposal, { ...proposalInputOf(proposal), removal: body.removal });
  if (body.type === 'UPDATE') {
    const { type: _update, version: _version, updatedAt: _seen, correction, ...corrected } = body;
    const input = validatedInput({ ...proposalInputOf(proposal), ...corrected }, deps);
    return standing(deps, proposal, { ...input, correction });
  }
  const { type: _add, version: _version, updatedAt: _seen, ...fields } = body;
  const input = validatedInput(fields, deps);
  const unchanged = recordOnly && proposal.previous ? correctionIssues(input, proposal.previous) : [];
  if (unchanged.length > 0) throw new ApiError('PROPOSAL_INVALID', unchanged);
  return input;
}

/**
 * A REMOVE or UPDATE as changed must still stand against its target as a submitted one must (changeIssues): the
 * target current and held by no other case, the removal's members and original valid, the correction a change.
 */
async function standing(deps: ApiDeps, proposal: StoredProposal, record: RevisedRecord): Promise<RevisedRecord> {
  const issues = await changeIssues(deps.store, { ...proposal, ...record });
  if (issues.length > 0) throw new ApiError('PROPOSAL_INVALID', issues);
  return record;
}

export const handler = apiHandler(route, reviseProposal, { uploads: s3UploadSigner });
