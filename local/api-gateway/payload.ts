/**
 * Payload format 2.0, both ways, as API Gateway writes and reads it for HTTP APIs: the event a route's
 * function receives (lower-cased, comma-joined headers; cookies apart; decoded query parameters and path
 * parameters; the JWT claims flattened to strings; a body base64-encoded unless its content type is text),
 * and the HTTP response made from what the function returns (a `{statusCode, headers, cookies, body,
 * isBase64Encoded}` object, or anything else as a 200 JSON body).
 */
import { randomBytes } from 'node:crypto';

export interface IncomingRequest {
  method: string;
  /** The path as sent, not decoded, stage prefix included. */
  rawPath: string;
  /** After the `?`, as sent; '' when there is none. */
  rawQueryString: string;
  /** Node's `req.rawHeaders`: name, value, name, value... */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  /** `HTTP/1.1` */
  protocol: string;
  /** The host the client called, e.g. 127.0.0.1:8704. */
  domainName: string;
  /** The local port, for x-forwarded-port. */
  port: number;
}

export interface EventContext {
  routeKey: string;
  stage: string;
  apiId: string;
  accountId: string;
  requestId: string;
  now: Date;
  pathParameters: Record<string, string> | undefined;
  /** For JWT routes: the token's claims, as API Gateway passes them. */
  jwt?: { claims: Record<string, string>; scopes: string[] | null };
}

/** API Gateway's request ids look like `JKJaXmPLvHcESHA=`. */
export function newRequestId(): string {
  return randomBytes(11).toString('base64');
}

export function buildEvent(request: IncomingRequest, context: EventContext): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!.toLowerCase();
    const value = request.rawHeaders[i + 1]!;
    if (name === 'cookie') {
      cookies.push(...value.split(';').map((cookie) => cookie.trim()).filter(Boolean));
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  // What API Gateway adds on its way to the function.
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${request.sourceIp}` : request.sourceIp;
  headers['x-forwarded-port'] = String(request.port);
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] ??= `Root=1-${Math.floor(context.now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  headers.host ??= request.domainName;

  const query = queryParameters(request.rawQueryString);
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: context.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      ...(context.jwt ? { authorizer: { jwt: context.jwt } } : {}),
      domainName: request.domainName,
      domainPrefix: request.domainName.split('.')[0]!.split(':')[0],
      http: {
        method: request.method,
        path: request.rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: context.requestId,
      routeKey: context.routeKey,
      stage: context.stage,
      time: clfTime(context.now),
      timeEpoch: context.now.getTime(),
    },
    ...(context.pathParameters ? { pathParameters: context.pathParameters } : {}),
    isBase64Encoded: false,
  };
  if (request.body.length > 0) {
    const text = isTextContentType(headers['content-type']);
    event.body = text ? request.body.toString('utf8') : request.body.toString('base64');
    event.isBase64Encoded = !text;
  }
  return event;
}

/** Duplicate names comma-joined; names and values URL-decoded. Undefined when there is no query. */
function queryParameters(raw: string): Record<string, string> | undefined {
  if (raw === '') return undefined;
  const out: Record<string, string> = {};
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const name = decode(at === -1 ? pair : pair.slice(0, at));
    const value = decode(at === -1 ? '' : pair.slice(at + 1));
    out[name] = name in out ? `${out[name]},${value}` : value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Bodies of these types reach the function as text; anything else (images, PDFs, forms, no type) as base64. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/javascript' ||
    type === 'application/xml' ||
    type.endsWith('+xml')
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000` */
function clfTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

/**
 * JWT claims as API Gateway hands them to the function: every value a string (numbers and booleans as
 * written, arrays as `[a b]`, objects as `map[k:v]`, as its Go runtime prints them).
 */
export function flattenClaims(claims: Record<string, unknown>): Record<string, string> {
  const format = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return `[${value.map(format).join(' ')}]`;
    if (typeof value === 'object' && value !== null) {
      return `map[${Object.keys(value)
        .sort()
        .map((key) => `${key}:${format((value as Record<string, unknown>)[key])}`)
        .join(' ')}]`;
    }
    return String(value);
  };
  return Object.fromEntries(Object.entries(claims).map(([name, value]) => [name, format(value)]));
}

/** `scope` (space-separated) or `scp` claims; null when the token has neither, as for Cognito ID tokens. */
export function scopesOf(claims: Record<string, unknown>): string[] | null {
  if (typeof claims.scope === 'string') return claims.scope.split(' ').filter(Boolean);
  if (Array.isArray(claims.scp)) return claims.scp.map(String);
  if (typeof claims.scp === 'string') return claims.scp.split(' ').filter(Boolean);
  return null;
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

/** A function result API Gateway cannot make a response of: it answers 500. */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponseError';
}

/** What the function returned → the HTTP response, or MalformedResponseError. */
export function responseOf(result: unknown): ApiResponse {
  if (typeof result !== 'object' || result === null || Array.isArray(result) || !('statusCode' in result)) {
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: Buffer.from(JSON.stringify(result), 'utf8') };
  }
  const structured = result as { statusCode?: unknown; headers?: unknown; cookies?: unknown; body?: unknown; isBase64Encoded?: unknown };
  const status = structured.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    throw new MalformedResponseError(`statusCode must be an integer from 100 to 599, not ${JSON.stringify(status)}`);
  }
  const headers: Record<string, string> = {};
  if (structured.headers !== undefined && structured.headers !== null) {
    if (typeof structured.headers !== 'object' || Array.isArray(structured.headers)) throw new MalformedResponseError('headers must be an object');
    for (const [name, value] of Object.entries(structured.headers)) {
      if (value === null || value === undefined) continue;
      if (typeof value === 'object') throw new MalformedResponseError(`header ${name} must be a string, number or boolean`);
      headers[name.toLowerCase()] = String(value);
    }
  }
  let cookies: string[] = [];
  if (structured.cookies !== undefined && structured.cookies !== null) {
    if (!Array.isArray(structured.cookies)) throw new MalformedResponseError('cookies must be an array of strings');
    cookies = structured.cookies.map(String);
  }
  let body = Buffer.alloc(0);
  if (structured.body !== undefined && structured.body !== null) {
    if (typeof structured.body !== 'string') throw new MalformedResponseError('body must be a string (JSON.stringify objects)');
    body = structured.isBase64Encoded === true ? Buffer.from(structured.body, 'base64') : Buffer.from(structured.body, 'utf8');
  }
  if (headers['content-type'] === undefined && body.length > 0) {
    // API Gateway sniffs a type for bodies that come without one.
    headers['content-type'] = isUtf8Text(body) ? 'text/plain; charset=utf-8' : 'application/octet-stream';
  }
  return { statusCode: status, headers, cookies, body };
}

function isUtf8Text(body: Buffer): boolean {
  const sample = body.subarray(0, 512);
  if (sample.includes(0)) return false;
  return Buffer.from(sample.toString('utf8'), 'utf8').equals(sample) || sample.length === 512;
}
