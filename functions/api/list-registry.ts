import { registryStanding } from '../application/registry-objection.ts';
import { ApiError } from './errors.ts';
import { apiHandler, json, type ApiDeps, type ApiRequest } from './http.ts';
import { publicHousehold } from './public-household.ts';
import { routeFor } from './routes.ts';

const route = routeFor('listRegistry');

/**
 * The village's registered households on the public board, so a neighbour can object (sanggah) to one that no
 * longer belongs: the public review's fields only (never the KK), ended and corrected-away records left out.
 */
export async function listRegistry(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const { villageCode } = request.params;
  if (!deps.regions().isVillage(villageCode)) throw new ApiError('NOT_FOUND');

  const items = (await deps.registryObjections.registryRecords(villageCode)).flatMap((record) => {
    const standing = registryStanding(record);
    if (!standing || !record.registeredAt) return [];
    return [{ ...publicHousehold(record), registeredAt: record.registeredAt, caseOpen: standing === 'case' }];
  });
  return json(200, { villageCode, items });
}

export const handler = apiHandler(route, listRegistry);
