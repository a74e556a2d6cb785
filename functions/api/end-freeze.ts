import { earlyEndAt } from '../../domain/freezes.ts';
import { stepFunctionsEngineFromEnvironment } from '../adapters/step-functions-engine.ts';
import { releaseHeldDecisions } from '../application/release-held-decisions.ts';
import { freezeView } from './declare-freeze.ts';
import { ApiError } from './errors.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';

const route = routeFor('endFreeze');

/** Held decisions are sent for at most this long here; the scheduled release sends any left. */
const RELEASE_WITHIN_MS = 12_000;

/**
 * An administrator ends a freeze before its planned end (or calls off one that has not begun). The decisions it
 * held go to the workflow at once, unless another freeze still covers their region.
 */
export async function endFreeze(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const { params, caller } = request;
  const freeze = await deps.freezes.getFreeze(params.id);
  if (!freeze) throw new ApiError('FREEZE_NOT_FOUND');
  authorize(request, { regionCode: freeze.regionCode });
  const now = deps.now();
  const at = earlyEndAt(freeze, now);
  if (!at) throw new ApiError('FREEZE_ALREADY_ENDED');
  // An end that raced this one leaves a ConflictError FREEZE_ALREADY_ENDED, answered as 409.
  const ended = await deps.freezes.endFreeze(freeze.freezeId, at, { type: 'user', id: caller.sub });
  const { released, stillHeld } = await releaseHeldDecisions(deps, { startBy: Date.now() + RELEASE_WITHIN_MS });
  return json(200, { ...freezeView(ended, now), released, stillHeld });
}

export const handler = apiHandler(route, endFreeze, { workflow: stepFunctionsEngineFromEnvironment });
