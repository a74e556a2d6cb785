import { stepFunctionsEngineFromEnvironment } from '../adapters/step-functions-engine.ts';
import { s3UploadSigner } from '../adapters/s3-upload-signer.ts';
import { appealProposal as fileAppeal, AppealRefused } from '../application/appeal-proposal.ts';
import { ApiError } from './errors.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';
import { documentUploadSlots } from './upload-slots.ts';

const route = routeFor('appealProposal');

/**
 * The village appeals its rejected proposal (application/appeal-proposal.ts, rules in domain/appeals.ts): the appeal
 * is recorded and its execution started, then the answer carries upload slots for the new evidence, which the tier
 * hearing the appeal finds among the proposal's documents.
 */
export async function appealProposal(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const proposal = await deps.store.getProposal(request.params.id);
  if (!proposal) throw new ApiError('PROPOSAL_NOT_FOUND');
  authorize(request, { regionCode: proposal.villageCode });
  const documents = (request.body.evidence ?? [{}]).map((entry) => ({ kind: 'appeal-evidence' as const, contentType: entry.contentType }));
  // Checked before anything is recorded, so a bad content type never leaves an appeal behind.
  const accepted = deps.config.documents['appeal-evidence'].contentTypes;
  if (documents.some((document) => document.contentType !== undefined && !accepted.includes(document.contentType))) {
    throw new ApiError('CONTENT_TYPE_NOT_ALLOWED');
  }

  try {
    const { executionArn, tier } = await fileAppeal(deps, proposal, request.body.statement, { type: 'user', id: request.caller.sub });
    const uploads = await documentUploadSlots(deps, proposal, documents);
    return json(202, { executionArn, tier, uploads });
  } catch (error) {
    if (error instanceof AppealRefused) throw new ApiError(error.code);
    throw error;
  }
}

export const handler = apiHandler(route, appealProposal, {
  workflow: stepFunctionsEngineFromEnvironment,
  uploads: s3UploadSigner,
});
