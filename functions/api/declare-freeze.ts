import { ulid } from 'ulid';
import { freezeState, type Freeze } from '../../domain/freezes.ts';
import { issue } from '../../domain/messages.ts';
import { REGION_CODE_PATTERNS, type RegionDirectory } from '../../domain/regions.ts';
import { ApiError } from './errors.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';

const route = routeFor('declareFreeze');

/**
 * An administrator freezes approvals in a region of theirs for a window, with a reason approvers will see.
 * Decisions taken there meanwhile are held, and SLAs pause (domain/freezes.ts).
 */
export async function declareFreeze(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const { body, caller } = request;
  authorize(request, { regionCode: body.regionCode });
  if (!regionExists(deps.regions(), deps.provinceCode, body.regionCode)) {
    throw new ApiError('VALIDATION_FAILED', [issue('regionCode', 'INVALID_VALUE')]);
  }
  const now = deps.now();
  const freeze: Freeze = {
    freezeId: ulid(now.getTime()),
    regionCode: body.regionCode,
    startsAt: new Date(body.startsAt).toISOString(),
    endsAt: new Date(body.endsAt).toISOString(),
    reason: body.reason,
    declaredBy: caller.sub,
    declaredAt: now.toISOString(),
  };
  if (freezeState(freeze, now) === 'ENDED') throw new ApiError('VALIDATION_FAILED', [issue('endsAt', 'FREEZE_ALREADY_OVER')]);
  await deps.freezes.declareFreeze(freeze);
  return json(201, freezeView(freeze, now));
}

function regionExists(regions: RegionDirectory, provinceCode: string, code: string): boolean {
  if (REGION_CODE_PATTERNS.village.test(code)) return regions.isVillage(code);
  if (REGION_CODE_PATTERNS.district.test(code)) return regions.isDistrict(code);
  if (REGION_CODE_PATTERNS.regency.test(code)) return regions.regencyName(code) !== undefined;
  return code === provinceCode;
}

/** A freeze as the API shows it, with its state at `at`. */
export const freezeView = (freeze: Freeze, at: Date) => ({ ...freeze, state: freezeState(freeze, at) });

export const handler = apiHandler(route, declareFreeze);
