import { ConflictError } from '../adapters/records-store.ts';
import { stepFunctionsEngineFromEnvironment } from '../adapters/step-functions-engine.ts';
import { submitProposal as startWorkflow } from '../application/submit-proposal.ts';
import { ApiError } from './errors.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';

const route = routeFor('submitProposal');

/**
 * Submits a draft into the workflow (application/submit-proposal.ts): one execution per proposal version,
 * so submitting the same version again is a 409, never a second run.
 */
export async function submitProposal(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const proposal = await deps.store.getProposal(request.params.id);
  if (!proposal) throw new ApiError('PROPOSAL_NOT_FOUND');
  authorize(request, { regionCode: proposal.villageCode });

  for (let attempt = 1; ; attempt++) {
    try {
      const { executionArn } = await startWorkflow(deps, proposal.id, { type: 'user', id: request.caller.sub });
      return json(202, { executionArn });
    } catch (error) {
      // Two submits at once: both saw a draft and the loser's conditional write failed (or DynamoDB cancelled
      // it as a conflicting transaction). To the client that is the same as submitting twice.
      const lostRace =
        (error instanceof ConflictError && error.code === 'PROPOSAL_STATE_CHANGED') ||
        (error as Error | undefined)?.name === 'TransactionCanceledException';
      if (!lostRace) throw error;
      const now = await deps.store.getProposal(proposal.id);
      if (now && now.version === proposal.version && now.status !== 'DRAFT') throw new ApiError('ALREADY_SUBMITTED');
      // Cancelled by a transaction that had not committed yet: still a draft, so try again.
      if (attempt === 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

export const handler = apiHandler(route, submitProposal, { workflow: stepFunctionsEngineFromEnvironment });
