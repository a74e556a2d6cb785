import { createHash } from 'node:crypto';
import type { Proposal, ProposalInput } from '../../domain/proposal.ts';
import { validateProposal } from '../../domain/validate-proposal.ts';
import { s3UploadSigner } from '../adapters/s3-upload-signer.ts';
import { draftChangeProposal } from '../application/change-proposal.ts';
import { draftProposal, proposalContext, saveDraft } from '../application/draft-proposal.ts';
import { ApiError } from './errors.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';
import { acceptsUploads, documentUploadSlots, requiredDocuments } from './upload-slots.ts';

const route = routeFor('createProposal');
/** Keys are kept a day: long enough for any retry of a flaky upload from a village. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * The rules the workflow's validation stage applies (same context), so an operator hears about a bad NIK
 * now rather than days later. Shared with the revision of a returned proposal.
 */
export function validatedInput(input: ProposalInput, deps: ApiDeps): ProposalInput {
  const validation = validateProposal(input, proposalContext(deps));
  if (!validation.ok) throw new ApiError('PROPOSAL_INVALID', validation.issues);
  return validation.proposal;
}

/**
 * Creates a DRAFT from a village's proposal and hands back one upload slot per required document. With an
 * `Idempotency-Key`, a retry of the same request answers with the proposal the first one created, and the
 * same key with another body is refused; the key and the proposal are written in one transaction, so two
 * concurrent retries still create one proposal.
 */
export async function createProposal(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const { body, caller } = request;
  authorize(request, { regionCode: body.villageCode });
  const idempotencyKey = request.headers['idempotency-key'];
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) throw new ApiError('IDEMPOTENCY_KEY_INVALID');
  const now = deps.now();
  const proposal = await draftOf(body, caller.sub, deps);
  const idempotency = idempotencyKey && {
    // Per caller: one operator's key can never answer with another operator's proposal.
    key: `${caller.sub}#${idempotencyKey}`,
    // The parsed body (schema order, trimmed), so a retry that only reorders or pads fields is the same request.
    requestHash: createHash('sha256').update(JSON.stringify(body)).digest('hex'),
    expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
  };
  const saved = await saveDraft(deps.store, proposal, { type: 'user', id: caller.sub }, idempotency ? { idempotency } : {});
  if (saved.created) return created(deps, proposal.id, proposal);
  if (!saved.sameRequest) throw new ApiError('IDEMPOTENCY_KEY_REUSED');
  // A replay answers as the first request did, with fresh slots only while the proposal still takes uploads.
  const first = await deps.store.getProposal(saved.proposalId);
  if (!first) throw new ApiError('PROPOSAL_NOT_FOUND');
  return created(deps, first.id, first, acceptsUploads(first.status));
}

/** An ADD as before proposal types; a REMOVE or UPDATE checked against the registered record it acts on. */
async function draftOf(body: ApiRequest<typeof route>['body'], submittedBy: string, deps: ApiDeps): Promise<Proposal> {
  if (body.type === 'REMOVE' || body.type === 'UPDATE') {
    const draft = await draftChangeProposal(deps, body, submittedBy);
    if (!draft.ok) throw new ApiError('PROPOSAL_INVALID', draft.issues);
    return draft.proposal;
  }
  const { type: _add, ...input } = body;
  return draftProposal(validatedInput(input, deps), submittedBy, deps.now());
}

async function created(deps: ApiDeps, proposalId: string, proposal: Proposal, slots = true) {
  const documents = requiredDocuments(deps.config, proposal);
  const uploads = slots ? await documentUploadSlots(deps, { id: proposalId, version: 1 }, documents) : [];
  return json(201, { proposalId, version: 1, status: 'DRAFT', uploads });
}

export const handler = apiHandler(route, createProposal, { uploads: s3UploadSigner });
