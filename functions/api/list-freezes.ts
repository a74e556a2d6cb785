import { concerns, freezeState } from '../../domain/freezes.ts';
import { freezeView } from './declare-freeze.ts';
import { apiHandler, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';

const route = routeFor('listFreezes');

/** Freezes that matter to the administrator's region (over it, or inside it): active first, then upcoming, then past. */
export async function listFreezes(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const { caller, query } = request;
  const now = deps.now();
  const order = { ACTIVE: 0, UPCOMING: 1, ENDED: 2 } as const;
  const items = (await deps.freezes.listFreezes())
    .filter((freeze) => concerns(freeze, caller.region))
    .map((freeze) => freezeView(freeze, now))
    .filter((freeze) => !query.state || freeze.state === query.state)
    .sort((a, b) => order[a.state] - order[b.state] || (a.state === 'ENDED' ? b.endsAt.localeCompare(a.endsAt) : a.startsAt.localeCompare(b.startsAt)));
  return json(200, { items });
}

export const handler = apiHandler(route, listFreezes);
