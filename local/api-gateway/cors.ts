/**
 * The API's CorsConfiguration as API Gateway applies it to HTTP APIs: it answers preflight requests itself
 * (no route, no authorizer), and on every other response to an allowed origin it sets the CORS headers,
 * replacing whatever CORS headers the function returned.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { CorsConfiguration } from './model.ts';

export function isPreflight(method: string, headers: IncomingHttpHeaders): boolean {
  return method === 'OPTIONS' && typeof headers.origin === 'string' && typeof headers['access-control-request-method'] === 'string';
}

function originAllowed(cors: CorsConfiguration, origin: string): boolean {
  return cors.allowOrigins.some((allowed) => {
    if (allowed === '*' || allowed === origin) return true;
    if (!allowed.includes('*')) return false;
    // `https://*.example.org`: a wildcard for one part of the host.
    const pattern = new RegExp(`^${allowed.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
    return pattern.test(origin);
  });
}

/** The answer to a preflight request: 204, with CORS headers only if origin, method and headers are all allowed. */
export function preflightHeaders(cors: CorsConfiguration, headers: IncomingHttpHeaders): Record<string, string> {
  const origin = String(headers.origin);
  const method = String(headers['access-control-request-method']).toUpperCase();
  const requested = String(headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((header) => header.trim().toLowerCase())
    .filter(Boolean);
  const methodAllowed = cors.allowMethods.includes('*') || cors.allowMethods.includes(method);
  const headersAllowed = cors.allowHeaders.includes('*') || requested.every((header) => cors.allowHeaders.includes(header));
  if (!originAllowed(cors, origin) || !methodAllowed || !headersAllowed) return {};
  const out: Record<string, string> = {
    'access-control-allow-origin': allowOriginValue(cors, origin),
    'access-control-allow-methods': cors.allowMethods.includes('*') ? method : cors.allowMethods.join(','),
  };
  if (requested.length > 0) out['access-control-allow-headers'] = cors.allowHeaders.includes('*') ? requested.join(',') : cors.allowHeaders.join(',');
  if (cors.maxAge !== undefined) out['access-control-max-age'] = String(cors.maxAge);
  if (cors.allowCredentials) out['access-control-allow-credentials'] = 'true';
  return out;
}

/** CORS headers for an actual (non-preflight) response; none when the request has no allowed Origin. */
export function responseCorsHeaders(cors: CorsConfiguration, origin: string | undefined): Record<string, string> {
  if (origin === undefined || !originAllowed(cors, origin)) return {};
  const out: Record<string, string> = { 'access-control-allow-origin': allowOriginValue(cors, origin) };
  if (cors.exposeHeaders.length > 0) out['access-control-expose-headers'] = cors.exposeHeaders.join(',');
  if (cors.allowCredentials) out['access-control-allow-credentials'] = 'true';
  if (!cors.allowOrigins.includes('*') || cors.allowCredentials) out.vary = 'Origin';
  return out;
}

function allowOriginValue(cors: CorsConfiguration, origin: string): string {
  return cors.allowOrigins.includes('*') && !cors.allowCredentials ? '*' : origin;
}

/** Response headers API Gateway drops from a function's answer when the API has a CORS configuration. */
export function isCorsHeader(name: string): boolean {
  return name.toLowerCase().startsWith('access-control-');
}
