/**
 * Route selection as API Gateway does it for HTTP APIs: the most specific path wins (segment by segment, a
 * literal before a `{param}` before a greedy `{proxy+}`), a route for the method before an `ANY` route of the
 * same path, and `$default` only when nothing else matches. Path parameters come out URL-decoded.
 */
import type { ApiRoute } from './model.ts';

export interface RouteMatch {
  route: ApiRoute;
  /** Undefined when the route has none, as API Gateway leaves `pathParameters` out. */
  pathParameters: Record<string, string> | undefined;
}

export function matchRoute(routes: readonly ApiRoute[], method: string, path: string): RouteMatch | undefined {
  const parts = path === '/' ? [] : path.slice(1).split('/');
  let best: { match: RouteMatch; rank: number[] } | undefined;
  for (const route of routes) {
    if (!route.segments || !route.method) continue;
    if (route.method !== 'ANY' && route.method !== method) continue;
    const matched = matchSegments(route, parts);
    if (!matched) continue;
    const rank = [...matched.rank, route.method === 'ANY' ? 0 : 1];
    if (!best || compareRanks(rank, best.rank) > 0) best = { match: { route, pathParameters: matched.pathParameters }, rank };
  }
  if (best) return best.match;
  const fallback = routes.find((route) => route.routeKey === '$default');
  return fallback ? { route: fallback, pathParameters: undefined } : undefined;
}

function matchSegments(route: ApiRoute, parts: string[]): { rank: number[]; pathParameters: Record<string, string> | undefined } | undefined {
  const segments = route.segments!;
  const rank: number[] = [];
  const params: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    if (segment.kind === 'greedy') {
      const rest = parts.slice(index);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      params[segment.name] = decode(rest.join('/'));
      rank.push(0);
      return { rank, pathParameters: params };
    }
    const part = parts[index];
    if (part === undefined) return undefined;
    if (segment.kind === 'literal') {
      if (decode(part) !== segment.value) return undefined;
      rank.push(2);
    } else {
      if (part === '') return undefined;
      params[segment.name] = decode(part);
      rank.push(1);
    }
  }
  if (parts.length !== segments.length) return undefined;
  return { rank, pathParameters: Object.keys(params).length > 0 ? params : undefined };
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const difference = (a[i] ?? -1) - (b[i] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
