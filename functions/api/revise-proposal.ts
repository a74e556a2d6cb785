import { s3UploadSigner } from '../adapters/s3-upload-signer.ts';
import { validatedInput } from './create-proposal.ts';
import { ApiError } from './errors.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';
import { documentUploadSlots, requiredDocuments } from './upload-slots.ts';

const route = routeFor('reviseProposal');

/**
 * Turns a RETURNED proposal into the DRAFT of its next version with the corrected input, under the same rules
 * as a new one, and hands out fresh upload slots for the documents its programs require.
 *
 * The earlier version's documents stay under the proposal's prefix and still count for every kind the
 * revision does not re-upload; a kind it does re-upload counts only the new files (upload keys carry the version).
 */
export async function reviseProposal(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const { params, body, caller } = request;
  const proposal = await deps.store.getProposal(params.id);
  if (!proposal) throw new ApiError('PROPOSAL_NOT_FOUND');
  authorize(request, { regionCode: proposal.villageCode });
  const { version, ...fields } = body;
  // Nor may a revision move the proposal out of the caller's region.
  authorize(request, { regionCode: fields.villageCode });
  // Answered before validation, so a stale form hears "reload" rather than a list of field problems;
  // the store checks both again in its conditional write.
  if (proposal.version !== version) throw new ApiError('VERSION_CONFLICT');
  if (proposal.status !== 'RETURNED') throw new ApiError('NOT_RETURNED');
  const input = validatedInput(fields, deps);

  const revised = await deps.store.reviseProposal(proposal.id, input, { version }, { actor: { type: 'user', id: caller.sub } });
  const uploads = await documentUploadSlots(deps, revised, requiredDocuments(deps.config, revised.programs));
  return json(200, { proposalId: revised.id, version: revised.version, status: 'DRAFT', uploads });
}

export const handler = apiHandler(route, reviseProposal, { uploads: s3UploadSigner });
