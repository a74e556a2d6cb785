/**
 * One HTTP API from the template, served on 127.0.0.1 as API Gateway serves it: stage, CORS preflight,
 * route selection, throttling, JWT authorization, then a payload format 2.0 event to the route's Lambda
 * function (through the local sandboxes) and its result as the response. API Gateway's own answers keep
 * their wording: `{"message":"Not Found"}` (404), `Unauthorized` (401), `Forbidden` (403), `Request Entity Too
 * Large` (413), `Too Many Requests` (429), `Internal Server Error` (500), `Service Unavailable` (503).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gracefulClose } from '../graceful-close.ts';
import { verifyJwt, type Jwks } from '../identity/jwt.ts';
import { listenOnLoopback } from '../listen.ts';
import { isCorsHeader, isPreflight, preflightHeaders, responseCorsHeaders } from './cors.ts';
import type { ApiRoute, ApiStage, HttpApiModel, Throttle } from './model.ts';
import { buildEvent, flattenClaims, MalformedResponseError, newRequestId, responseOf, scopesOf, type ApiResponse } from './payload.ts';
import { matchRoute } from './routes.ts';
import { isThrottled, TokenBucket } from './throttle.ts';

export interface HttpApiOptions {
  api: HttpApiModel;
  /** Invokes a function by name with an event; rejects when the function fails. */
  invoke: (functionName: string, event: unknown) => Promise<unknown>;
  /** Tokens of this issuer stand in for those of the issuer each JWT authorizer names (the stack's Cognito). */
  issuer: { url: string; jwks: () => Jwks | Promise<Jwks> };
  accountId: string;
  /** 0 or absent picks a free port. */
  port?: number;
  /** Default 10 MB, API Gateway's limit for HTTP APIs. */
  maxBodyBytes?: number;
  /** One entry per request, for an access log. */
  onAccess?: (entry: AccessLogEntry) => void;
  /** Why a request got a 5xx (the caller only sees the generic message); default stderr. */
  onIntegrationError?: (message: string) => void;
}

export interface AccessLogEntry {
  requestId: string;
  time: string;
  method: string;
  path: string;
  routeKey: string | null;
  status: number;
  /** Why API Gateway answered itself (401, 429, 500...), for people reading the log. */
  reason?: string;
  durationMs: number;
}

export interface HttpApiServer {
  /** http://127.0.0.1:<port>, the `$default` stage's base URL. */
  url: string;
  port: number;
  api: HttpApiModel;
  close(): Promise<void>;
}

export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

class BodyTooLarge extends Error {}

/** API Gateway's own answer: status and `{"message": ...}`, with the reason kept for the log. */
class GatewayAnswer {
  constructor(
    readonly statusCode: number,
    readonly message: string,
    readonly reason?: string,
    readonly headers: Record<string, string> = {},
    /** The matched route, for the access log. */
    readonly routeKey: string | null = null,
  ) {}
}

export async function startHttpApi(options: HttpApiOptions): Promise<HttpApiServer> {
  const { api } = options;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_PAYLOAD_BYTES;
  const reportIntegrationError = options.onIntegrationError ?? ((message: string) => console.error(`[local api] ${message}`));
  const buckets = new Map<string, TokenBucket | null>();
  let port = 0;

  const bucketFor = (stage: ApiStage, route: ApiRoute): TokenBucket | null => {
    const key = `${stage.name}\0${route.routeKey}`;
    if (!buckets.has(key)) {
      const own = stage.routeThrottles.get(route.routeKey);
      const throttle: Throttle = {
        burstLimit: own?.burstLimit ?? stage.defaultThrottle.burstLimit,
        rateLimit: own?.rateLimit ?? stage.defaultThrottle.rateLimit,
      };
      buckets.set(key, isThrottled(throttle) ? new TokenBucket(throttle) : null);
    }
    return buckets.get(key)!;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, requestId: string, started: number): Promise<{ routeKey: string | null; reason?: string }> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
    const rawQueryString = queryAt === -1 ? '' : url.slice(queryAt + 1);
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const cors = api.cors;

    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) throw new GatewayAnswer(413, 'Request Entity Too Large', `body of ${declared} bytes`);
    const body = await readBody(req, maxBodyBytes);

    const selected = selectStage(api.stages, rawPath);
    if (!selected) throw new GatewayAnswer(404, 'Not Found', api.stages.length === 0 ? 'the API has no stage' : 'no stage for this path');
    const { stage, path } = selected;

    if (cors && isPreflight(method, req.headers)) {
      send(res, requestId, { statusCode: 204, headers: preflightHeaders(cors, req.headers), cookies: [], body: Buffer.alloc(0) });
      return { routeKey: null, reason: 'CORS preflight' };
    }
    const corsHeaders = cors ? responseCorsHeaders(cors, origin) : {};

    const match = matchRoute(api.routes, method, path);
    if (!match) throw new GatewayAnswer(404, 'Not Found', 'no route matches', corsHeaders);
    const { route } = match;
    const fail = (statusCode: number, message: string, reason: string, headers: Record<string, string> = {}) =>
      new GatewayAnswer(statusCode, message, reason, { ...corsHeaders, ...headers }, route.routeKey);

    const bucket = bucketFor(stage, route);
    if (bucket && !bucket.take()) throw fail(429, 'Too Many Requests', 'throttled by the stage settings');

    let jwt: { claims: Record<string, string>; scopes: string[] | null } | undefined;
    if (route.authorization.type === 'JWT') {
      const { authorizer, scopes: required } = route.authorization;
      const token = tokenOf(req, rawQueryString, authorizer.identitySource);
      const challenge = (description: string) => ({ 'www-authenticate': `Bearer scope="" error="invalid_token" error_description="${description}"` });
      if (token === undefined) throw fail(401, 'Unauthorized', 'no token');
      const verified = await verifyJwt(token, { issuer: options.issuer.url, audiences: authorizer.audiences, jwks: options.issuer.jwks });
      if (!verified.valid) throw fail(401, 'Unauthorized', verified.reason, challenge(verified.reason));
      const scopes = scopesOf(verified.claims);
      if (required.length > 0 && !required.some((scope) => scopes?.includes(scope))) {
        throw fail(403, 'Forbidden', `the token has none of the scopes ${required.join(', ')}`, {
          'www-authenticate': `Bearer scope="${required.join(' ')}" error="insufficient_scope" error_description="expected scopes: [${required.join(' ')}]"`,
        });
      }
      jwt = { claims: flattenClaims(verified.claims), scopes };
    }

    const event = buildEvent(
      {
        method,
        rawPath,
        rawQueryString,
        rawHeaders: req.rawHeaders,
        body,
        sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        protocol: `HTTP/${req.httpVersion}`,
        domainName: req.headers.host ?? `127.0.0.1:${port}`,
        port,
      },
      {
        routeKey: route.routeKey,
        stage: stage.name,
        apiId: api.apiId,
        accountId: options.accountId,
        requestId,
        now: new Date(started),
        pathParameters: match.pathParameters,
        ...(jwt ? { jwt } : {}),
      },
    );

    const { functionName, timeoutMs } = route.integration;
    let result: unknown;
    try {
      result = await withTimeout(options.invoke(functionName, event), timeoutMs);
    } catch (error) {
      if (error instanceof IntegrationTimeout) {
        reportIntegrationError(`${route.routeKey}: ${functionName} did not answer within the integration timeout of ${timeoutMs} ms (503).`);
        throw fail(503, 'Service Unavailable', 'integration timeout');
      }
      const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      reportIntegrationError(`${route.routeKey}: ${functionName} failed (500): ${what}`);
      throw fail(500, 'Internal Server Error', `function error ${error instanceof Error ? error.name : ''}`.trim());
    }
    let response: ApiResponse;
    try {
      response = responseOf(result);
    } catch (error) {
      if (!(error instanceof MalformedResponseError)) throw error;
      reportIntegrationError(`${route.routeKey}: ${functionName} returned a response API Gateway cannot use (500): ${error.message}`);
      throw fail(500, 'Internal Server Error', 'malformed Lambda response');
    }
    if (cors) {
      for (const name of Object.keys(response.headers)) if (isCorsHeader(name)) delete response.headers[name];
      Object.assign(response.headers, corsHeaders);
    }
    send(res, requestId, response);
    return { routeKey: route.routeKey };
  };

  const server = createServer((req, res) => {
    const requestId = newRequestId();
    const started = Date.now();
    const log = (routeKey: string | null, reason?: string) =>
      options.onAccess?.({
        requestId,
        time: new Date(started).toISOString(),
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0]!,
        routeKey,
        status: res.statusCode,
        ...(reason ? { reason } : {}),
        durationMs: Date.now() - started,
      });
    handle(req, res, requestId, started).then(
      ({ routeKey, reason }) => log(routeKey, reason),
      (error: unknown) => {
        let answer: GatewayAnswer;
        if (error instanceof GatewayAnswer) answer = error;
        else if (error instanceof BodyTooLarge) answer = new GatewayAnswer(413, 'Request Entity Too Large', `body over ${maxBodyBytes} bytes`);
        else {
          reportIntegrationError(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          answer = new GatewayAnswer(500, 'Internal Server Error', 'emulator error');
        }
        // The rest of an unread body would be taken for the next request.
        if (!req.complete) res.setHeader('Connection', 'close');
        if (!res.headersSent) {
          send(res, requestId, {
            statusCode: answer.statusCode,
            headers: { 'content-type': 'application/json', ...answer.headers },
            cookies: [],
            body: Buffer.from(JSON.stringify({ message: answer.message }), 'utf8'),
          });
        } else {
          res.destroy();
        }
        log(answer.routeKey, answer.reason);
      },
    );
  });
  const close = gracefulClose(server);
  port = await listenOnLoopback(server, options.port, `The local HTTP API (${api.name})`);
  return { url: `http://127.0.0.1:${port}`, port, api, close };
}

/** The stage a path is for: `/<name>/...` for a named stage, anything else for `$default`; and the path within it. */
function selectStage(stages: readonly ApiStage[], rawPath: string): { stage: ApiStage; path: string } | undefined {
  for (const stage of stages) {
    if (stage.name === '$default') continue;
    const prefix = `/${stage.name}`;
    if (rawPath === prefix || rawPath.startsWith(`${prefix}/`)) return { stage, path: rawPath.slice(prefix.length) || '/' };
  }
  const fallback = stages.find((stage) => stage.name === '$default');
  return fallback ? { stage: fallback, path: rawPath } : undefined;
}

/** The token from the first identity source present; a `Bearer ` prefix is dropped, as API Gateway does. */
function tokenOf(req: IncomingMessage, rawQueryString: string, sources: { in: 'header' | 'querystring'; name: string }[]): string | undefined {
  for (const source of sources) {
    let value: string | undefined;
    if (source.in === 'header') {
      const header = req.headers[source.name];
      value = Array.isArray(header) ? header.join(',') : header;
    } else {
      value = new URLSearchParams(rawQueryString).get(source.name) ?? undefined;
    }
    if (value === undefined || value.trim() === '') continue;
    const trimmed = value.trim();
    return /^bearer\s+/i.test(trimmed) ? trimmed.replace(/^bearer\s+/i, '') : trimmed;
  }
  return undefined;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

class IntegrationTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new IntegrationTimeout()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function send(res: ServerResponse, requestId: string, response: ApiResponse): void {
  res.statusCode = response.statusCode;
  for (const [name, value] of Object.entries(response.headers)) {
    if (name === 'content-length' || name === 'connection' || name === 'transfer-encoding') continue;
    res.setHeader(name, value);
  }
  if (response.cookies.length > 0) res.setHeader('set-cookie', response.cookies);
  res.setHeader('apigw-requestid', requestId);
  res.setHeader('content-length', response.body.length);
  res.end(response.body);
}
