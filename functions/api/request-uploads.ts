import { s3UploadSigner } from '../adapters/s3-upload-signer.ts';
import { ApiError } from './errors.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';
import { acceptsUploads, documentUploadSlots, requiredDocuments } from './upload-slots.ts';

const route = routeFor('requestUploads');

/**
 * Fresh upload slots for a proposal the village still holds: to replace a document, add a photo, or retry
 * after a slot expired. Without `documents`, one slot per document it needs.
 */
export async function requestUploads(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const proposal = await deps.store.getProposal(request.params.id);
  if (!proposal) throw new ApiError('PROPOSAL_NOT_FOUND');
  authorize(request, { regionCode: proposal.villageCode });
  if (!acceptsUploads(proposal.status)) throw new ApiError('NOT_A_DRAFT');

  const documents = request.body.documents ?? requiredDocuments(deps.config, proposal);
  return json(200, { uploads: await documentUploadSlots(deps, proposal, documents) });
}

export const handler = apiHandler(route, requestUploads, { uploads: s3UploadSigner });
