/**
 * AWS Signature Version 4 verification for every local endpoint (S3 now, the
 * Step Functions and Secrets Manager endpoints later).
 *
 * The documented algorithm is implemented with node:crypto rather than by
 * re-signing through @smithy/signature-v4: a verifier must canonicalise only
 * the headers the client listed in SignedHeaders, exactly as sent, while the
 * smithy signer decides on its own which headers to sign. The tests prove the
 * result against requests signed by the real SDK and against the published
 * AWS example vectors.
 *
 * Usage is two-step so bodies can be read after the (cheap) header check:
 *   const auth = verifySigV4(request, options);      // throws SigV4Error
 *   const { body } = decodePayload(auth, rawBody);   // hash / aws-chunked
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type HeaderValue = string | readonly string[] | undefined;
export type Headers = Readonly<Record<string, HeaderValue>>;

export interface SigV4Request {
  method: string;
  /** The path exactly as received on the wire (still percent-encoded), without the query string. */
  path: string;
  /** The raw query string as received, without the leading '?'. */
  query: string;
  /** Header names in lower case, as node:http gives them. */
  headers: Headers;
  /**
   * The body when it has already been read. Needed when the payload hash is not
   * announced in x-amz-content-sha256 (the JSON-protocol services hash the body).
   */
  body?: Uint8Array;
}

/** accessKeyId → secret access key, or undefined when the key is unknown. */
export type CredentialsLookup = (accessKeyId: string) => string | undefined;

export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export function credentialsLookup(list: readonly LocalCredentials[]): CredentialsLookup {
  const byId = new Map(list.map((c) => [c.accessKeyId, c.secretAccessKey]));
  return (accessKeyId) => byId.get(accessKeyId);
}

export interface SigV4Options {
  /** Signing name of the service this endpoint plays: 's3', 'states', 'secretsmanager'. */
  service: string;
  /** The region this endpoint serves; the credential scope must name it. */
  region: string;
  credentials: CredentialsLookup;
  /** Clock, for tests. */
  now?: () => Date;
  /**
   * S3 signs the path as sent (no normalisation, single encoding); every other
   * service normalises it and encodes it a second time. Default: service !== 's3'.
   */
  uriEscapePath?: boolean;
  /** S3 rejects header-signed requests without x-amz-content-sha256. Default: service === 's3'. */
  requireContentSha256?: boolean;
  /** Allowed clock difference for header-signed requests. AWS uses 15 minutes. */
  maxSkewMs?: number;
}

export type SigV4ErrorCode =
  | 'AccessDenied'
  | 'InvalidAccessKeyId'
  | 'SignatureDoesNotMatch'
  | 'RequestTimeTooSkewed'
  | 'AuthorizationHeaderMalformed'
  | 'AuthorizationQueryParametersError'
  | 'InvalidArgument'
  | 'InvalidRequest'
  | 'XAmzContentSHA256Mismatch'
  | 'IncompleteBody'
  | 'InvalidChunkSizeError';

/** Codes the JSON-protocol services (Step Functions, Secrets Manager) answer with instead. */
const JSON_PROTOCOL_CODES: Record<SigV4ErrorCode, string> = {
  AccessDenied: 'AccessDeniedException',
  InvalidAccessKeyId: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  RequestTimeTooSkewed: 'InvalidSignatureException',
  AuthorizationHeaderMalformed: 'IncompleteSignatureException',
  AuthorizationQueryParametersError: 'IncompleteSignatureException',
  InvalidArgument: 'IncompleteSignatureException',
  InvalidRequest: 'MissingAuthenticationTokenException',
  XAmzContentSHA256Mismatch: 'InvalidSignatureException',
  IncompleteBody: 'SerializationException',
  InvalidChunkSizeError: 'SerializationException',
};

export class SigV4Error extends Error {
  override readonly name = 'SigV4Error';
  readonly code: SigV4ErrorCode;
  readonly statusCode: number;
  /** Extra elements S3 adds to its error XML (e.g. HeadersNotSigned). */
  readonly details: Record<string, string>;

  constructor(code: SigV4ErrorCode, statusCode: number, message: string, details: Record<string, string> = {}) {
    super(message);
    this.code = code;
    this.statusCode = statusCode;
    this.details = details;
  }

  /** The error type a JSON-protocol service (awsJson1_0/1_1) would send for this failure. */
  get jsonProtocolCode(): string {
    return JSON_PROTOCOL_CODES[this.code];
  }
}

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const MAX_PRESIGNED_EXPIRES_S = 604_800;
const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;

export type PayloadMode =
  | { type: 'unsigned' }
  | { type: 'sha256'; hash: string }
  | { type: 'streaming-signed'; trailer: boolean }
  | { type: 'streaming-unsigned-trailer' };

export interface VerifiedRequest {
  accessKeyId: string;
  region: string;
  service: string;
  /** The request's signing time (X-Amz-Date). */
  date: Date;
  presigned: boolean;
  /** How the body has to be read, from x-amz-content-sha256. */
  payload: PayloadMode;
  /** Lower-case names of the headers covered by the signature. */
  signedHeaders: readonly string[];
  /** Key material for verifying chunk signatures in decodePayload. */
  readonly chunkContext: ChunkSigningContext;
  /** The request headers, kept for decodePayload (x-amz-decoded-content-length, x-amz-trailer). */
  readonly headers: Headers;
}

interface ChunkSigningContext {
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  seedSignature: string;
}

// ---------------------------------------------------------------- primitives

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Uint8Array, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function deriveSigningKey(secret: string, shortDate: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secret}`, shortDate);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

export function signHex(signingKey: Uint8Array, stringToSign: string): string {
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** RFC 3986 encoding as SigV4 defines it: everything but A-Z a-z 0-9 - _ . ~ is %XX (upper-case hex). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    // A stray '%' cannot be decoded; signers would have encoded it, so keep it literal.
    return value;
  }
}

export function headerValue(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.join(',');
}

/** yyyyMMddTHHmmssZ → Date, or undefined when malformed. */
export function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

// ----------------------------------------------------------- canonical forms

export interface QueryParam {
  key: string;
  value: string;
}

/** Splits a raw query string into decoded pairs, keeping order and repeats. '+' stays a plus: SigV4 clients encode spaces as %20. */
export function parseQuery(raw: string): QueryParam[] {
  if (raw === '') return [];
  return raw
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq === -1
        ? { key: safeDecode(part), value: '' }
        : { key: safeDecode(part.slice(0, eq)), value: safeDecode(part.slice(eq + 1)) };
    });
}

function canonicalQuery(params: readonly QueryParam[]): string {
  return params
    .filter((p) => p.key !== 'X-Amz-Signature')
    .map((p) => [uriEncode(p.key), uriEncode(p.value)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/**
 * Candidate canonical URIs. The first is the one AWS computes; the raw path is
 * also accepted for S3 because clients disagree on which reserved characters to
 * escape, and any variant still has to carry a signature made with the secret.
 */
function canonicalUris(rawPath: string, uriEscapePath: boolean): string[] {
  const path = rawPath === '' ? '/' : rawPath;
  if (uriEscapePath) {
    const segments: string[] = [];
    for (const segment of path.split('/')) {
      if (segment === '' || segment === '.') continue;
      if (segment === '..') segments.pop();
      else segments.push(segment);
    }
    const normalized = `/${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
    return [uriEncode(normalized).replace(/%2F/g, '/')];
  }
  const reencoded = path
    .split('/')
    .map((segment) => uriEncode(safeDecode(segment)))
    .join('/');
  return reencoded === path ? [path] : [reencoded, path];
}

function canonicalHeaders(headers: Headers, signed: readonly string[]): string {
  return signed
    .map((name) => {
      const value = (headerValue(headers, name) ?? '').replace(/\s+/g, ' ').trim();
      return `${name}:${value}\n`;
    })
    .join('');
}

// ------------------------------------------------------------------- verify

interface ParsedAuth {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  date: Date;
  presigned: boolean;
  expiresS?: number;
}

function parseCredential(credential: string, malformed: (message: string) => SigV4Error) {
  const parts = credential.split('/');
  if (parts.length < 5) throw malformed(`the Credential '${credential}' is not of the form <access key>/<date>/<region>/<service>/aws4_request`);
  const terminator = parts.pop() as string;
  const service = parts.pop() as string;
  const region = parts.pop() as string;
  const shortDate = parts.pop() as string;
  return { accessKeyId: parts.join('/'), shortDate, region, service, terminator };
}

function parseAuthorizationHeader(value: string, headers: Headers): ParsedAuth {
  const malformed = (why: string) =>
    new SigV4Error('AuthorizationHeaderMalformed', 400, `The authorization header is malformed; ${why}`);
  if (!value.startsWith(`${ALGORITHM} `)) {
    if (value.startsWith('AWS ')) {
      throw new SigV4Error('InvalidRequest', 400, 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
    }
    throw malformed(`the algorithm must be ${ALGORITHM}`);
  }
  const fields = new Map<string, string>();
  for (const part of value.slice(ALGORITHM.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) throw malformed(`'${part.trim()}' is not a key=value pair`);
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) throw malformed('Credential, SignedHeaders and Signature are all required');
  const scope = parseCredential(credential, malformed);
  const amzDate = headerValue(headers, 'x-amz-date');
  let date: Date | undefined;
  let amz: string;
  if (amzDate !== undefined) {
    date = parseAmzDate(amzDate);
    amz = amzDate;
  } else {
    const httpDate = headerValue(headers, 'date');
    const parsed = httpDate === undefined ? NaN : Date.parse(httpDate);
    date = Number.isNaN(parsed) ? undefined : new Date(parsed);
    amz = date ? formatAmzDate(date) : '';
  }
  if (!date) {
    throw new SigV4Error('AccessDenied', 403, 'AWS authentication requires a valid Date or x-amz-date header');
  }
  return {
    ...scope,
    signedHeaders: signedHeaders.split(';'),
    signature,
    amzDate: amz,
    date,
    presigned: false,
  };
}

function parsePresignedQuery(params: readonly QueryParam[]): ParsedAuth {
  const get = (key: string) => params.find((p) => p.key === key)?.value;
  const bad = (why: string) =>
    new SigV4Error('AuthorizationQueryParametersError', 400, `Error parsing the X-Amz-Credential parameter; ${why}`);
  const algorithm = get('X-Amz-Algorithm');
  const credential = get('X-Amz-Credential');
  const amzDate = get('X-Amz-Date');
  const expires = get('X-Amz-Expires');
  const signedHeaders = get('X-Amz-SignedHeaders');
  const signature = get('X-Amz-Signature');
  if (algorithm !== ALGORITHM) {
    throw new SigV4Error('AuthorizationQueryParametersError', 400, `X-Amz-Algorithm only supports "${ALGORITHM}"`);
  }
  if (!credential || !amzDate || !expires || !signedHeaders || !signature) {
    throw new SigV4Error(
      'AuthorizationQueryParametersError',
      400,
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  const date = parseAmzDate(amzDate);
  if (!date) throw new SigV4Error('AuthorizationQueryParametersError', 400, 'X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"');
  if (!/^\d+$/.test(expires)) {
    throw new SigV4Error('AuthorizationQueryParametersError', 400, 'X-Amz-Expires should be a number');
  }
  const expiresS = Number(expires);
  if (expiresS > MAX_PRESIGNED_EXPIRES_S) {
    throw new SigV4Error('AuthorizationQueryParametersError', 400, 'X-Amz-Expires must be less than a week (in seconds) that is 7 days');
  }
  return {
    ...parseCredential(credential, bad),
    signedHeaders: signedHeaders.split(';'),
    signature,
    amzDate,
    date,
    presigned: true,
    expiresS,
  };
}

function payloadModeFor(claim: string): PayloadMode | undefined {
  switch (claim) {
    case UNSIGNED_PAYLOAD:
      return { type: 'unsigned' };
    case STREAMING_SIGNED:
      return { type: 'streaming-signed', trailer: false };
    case STREAMING_SIGNED_TRAILER:
      return { type: 'streaming-signed', trailer: true };
    case STREAMING_UNSIGNED_TRAILER:
      return { type: 'streaming-unsigned-trailer' };
    default:
      return /^[0-9a-f]{64}$/i.test(claim) ? { type: 'sha256', hash: claim.toLowerCase() } : undefined;
  }
}

/** True when the request carries SigV4 material at all (header or query). */
export function hasSigV4Auth(request: Pick<SigV4Request, 'headers' | 'query'>): boolean {
  return headerValue(request.headers, 'authorization') !== undefined || /(^|&)X-Amz-Signature=/.test(request.query);
}

/**
 * Verifies the request's signature and freshness. Throws SigV4Error with the
 * code and status S3 uses; the body, when it is streamed or not yet read, is
 * checked afterwards by decodePayload.
 */
export function verifySigV4(request: SigV4Request, options: SigV4Options): VerifiedRequest {
  const now = (options.now ?? (() => new Date()))();
  const uriEscapePath = options.uriEscapePath ?? options.service !== 's3';
  const requireContentSha256 = options.requireContentSha256 ?? options.service === 's3';
  const maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const params = parseQuery(request.query);
  const authorization = headerValue(request.headers, 'authorization');
  const presignedSignature = params.some((p) => p.key === 'X-Amz-Signature');

  if (authorization !== undefined && presignedSignature) {
    throw new SigV4Error('InvalidArgument', 400, 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified');
  }
  if (authorization === undefined && !presignedSignature) {
    throw new SigV4Error('AccessDenied', 403, 'Access Denied');
  }
  const auth = authorization !== undefined ? parseAuthorizationHeader(authorization, request.headers) : parsePresignedQuery(params);
  const malformed = (why: string) =>
    auth.presigned
      ? new SigV4Error('AuthorizationQueryParametersError', 400, `Error parsing the X-Amz-Credential parameter; ${why}`)
      : new SigV4Error('AuthorizationHeaderMalformed', 400, `The authorization header is malformed; ${why}`);

  if (auth.terminator !== 'aws4_request') throw malformed(`incorrect terminal "${auth.terminator}". This endpoint uses "aws4_request".`);
  if (auth.service !== options.service) throw malformed(`incorrect service "${auth.service}". This endpoint uses "${options.service}".`);
  if (auth.region !== options.region) throw malformed(`the region '${auth.region}' is wrong; expecting '${options.region}'`);
  if (auth.shortDate !== auth.amzDate.slice(0, 8)) throw malformed('Invalid credential date. Date is not the same as X-Amz-Date.');

  const secret = options.credentials(auth.accessKeyId);
  if (secret === undefined) {
    throw new SigV4Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.', {
      AWSAccessKeyId: auth.accessKeyId,
    });
  }

  if (auth.presigned) {
    const expiresAt = auth.date.getTime() + (auth.expiresS ?? 0) * 1000;
    if (now.getTime() > expiresAt) {
      throw new SigV4Error('AccessDenied', 403, 'Request has expired', {
        Expires: new Date(expiresAt).toISOString(),
        ServerTime: now.toISOString(),
      });
    }
    if (auth.date.getTime() - now.getTime() > maxSkewMs) {
      throw new SigV4Error('AccessDenied', 403, 'Request is not yet valid');
    }
  } else if (Math.abs(now.getTime() - auth.date.getTime()) > maxSkewMs) {
    throw new SigV4Error('RequestTimeTooSkewed', 403, 'The difference between the request time and the current time is too large.', {
      RequestTime: auth.date.toISOString(),
      ServerTime: now.toISOString(),
      MaxAllowedSkewMilliseconds: String(maxSkewMs),
    });
  }

  const signed = auth.signedHeaders.map((h) => h.toLowerCase());
  if (!signed.includes('host')) {
    throw malformed('the host header must be signed');
  }
  // S3 refuses x-amz-* headers the signature does not cover: they change what
  // the request does (metadata, checksums) and could otherwise be injected.
  const unsigned = Object.keys(request.headers).filter(
    (name) => name.startsWith('x-amz-') && !signed.includes(name) && request.headers[name] !== undefined,
  );
  if (unsigned.length > 0) {
    throw new SigV4Error('AccessDenied', 403, 'There were headers present in the request which were not signed', {
      HeadersNotSigned: unsigned.join(', '),
    });
  }

  // The payload hash that went into the canonical request.
  let claim: string;
  const headerClaim = headerValue(request.headers, 'x-amz-content-sha256');
  if (auth.presigned) {
    claim =
      params.find((p) => p.key.toLowerCase() === 'x-amz-content-sha256')?.value ??
      headerClaim ??
      (options.service === 's3' ? UNSIGNED_PAYLOAD : sha256Hex(request.body ?? new Uint8Array()));
  } else if (headerClaim !== undefined) {
    claim = headerClaim;
  } else if (requireContentSha256) {
    throw new SigV4Error('InvalidRequest', 400, 'Missing required header for this request: x-amz-content-sha256');
  } else {
    if (request.body === undefined) throw new Error('verifySigV4: the body is needed to verify a request without x-amz-content-sha256');
    claim = sha256Hex(request.body);
  }
  const payload = payloadModeFor(claim);
  if (!payload) {
    throw new SigV4Error(
      'InvalidArgument',
      400,
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
    );
  }

  const scope = `${auth.shortDate}/${auth.region}/${auth.service}/aws4_request`;
  const signingKey = deriveSigningKey(secret, auth.shortDate, auth.region, auth.service);
  const query = canonicalQuery(params);
  const headersBlock = canonicalHeaders(request.headers, signed);
  const method = request.method.toUpperCase();
  const matches = canonicalUris(request.path, uriEscapePath).some((uri) => {
    const canonicalRequest = [method, uri, query, headersBlock, signed.join(';'), claim].join('\n');
    const stringToSign = [ALGORITHM, auth.amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
    return sameSignature(signHex(signingKey, stringToSign), auth.signature);
  });
  if (!matches) {
    throw new SigV4Error(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { AWSAccessKeyId: auth.accessKeyId },
    );
  }

  if (payload.type === 'sha256' && request.body !== undefined) {
    assertPayloadHash(payload.hash, request.body);
  }

  return {
    accessKeyId: auth.accessKeyId,
    region: auth.region,
    service: auth.service,
    date: auth.date,
    presigned: auth.presigned,
    payload,
    signedHeaders: signed,
    chunkContext: { signingKey, amzDate: auth.amzDate, scope, seedSignature: auth.signature.toLowerCase() },
    headers: request.headers,
  };
}

function assertPayloadHash(expected: string, body: Uint8Array): void {
  const actual = sha256Hex(body);
  if (actual !== expected) {
    throw new SigV4Error('XAmzContentSHA256Mismatch', 400, "The provided 'x-amz-content-sha256' header does not match what was computed.", {
      ClientComputedContentSHA256: expected,
      S3ComputedContentSHA256: actual,
    });
  }
}

// ------------------------------------------------------------------ payload

export interface DecodedPayload {
  body: Buffer;
  /** Trailing headers of an aws-chunked body (e.g. x-amz-checksum-crc32), names in lower case. */
  trailers: Record<string, string>;
}

/**
 * Turns the raw body into the object bytes, checking what the signature
 * promised: the SHA-256 for a hex payload hash, every chunk signature (and the
 * trailer signature) for STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER], the
 * framing for STREAMING-UNSIGNED-PAYLOAD-TRAILER, and the announced
 * x-amz-decoded-content-length. Checksums in trailers are returned, not
 * checked: they are S3's business (BadDigest), not the signature's.
 */
export function decodePayload(verified: VerifiedRequest, raw: Buffer): DecodedPayload {
  const { payload } = verified;
  if (payload.type === 'unsigned') return { body: raw, trailers: {} };
  if (payload.type === 'sha256') {
    assertPayloadHash(payload.hash, raw);
    return { body: raw, trailers: {} };
  }
  const signed = payload.type === 'streaming-signed';
  const withTrailer = payload.type === 'streaming-unsigned-trailer' || (payload.type === 'streaming-signed' && payload.trailer);
  const decoded = decodeAwsChunked(raw, {
    signed: signed ? verified.chunkContext : undefined,
    trailer: withTrailer,
  });
  const announced = headerValue(verified.headers, 'x-amz-decoded-content-length');
  if (announced !== undefined && Number(announced) !== decoded.body.length) {
    throw new SigV4Error('IncompleteBody', 400, 'You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header');
  }
  if (withTrailer) {
    const expected = (headerValue(verified.headers, 'x-amz-trailer') ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    for (const name of expected) {
      if (decoded.trailers[name] === undefined) {
        throw new SigV4Error('InvalidRequest', 400, `The request is missing the trailing header ${name} announced in x-amz-trailer.`);
      }
    }
  }
  return decoded;
}

interface ChunkDecodeOptions {
  signed: ChunkSigningContext | undefined;
  trailer: boolean;
}

function chunkStringToSign(ctx: ChunkSigningContext, previous: string, data: Uint8Array): string {
  return ['AWS4-HMAC-SHA256-PAYLOAD', ctx.amzDate, ctx.scope, previous, EMPTY_SHA256, sha256Hex(data)].join('\n');
}

/** Signature of one chunk in STREAMING-AWS4-HMAC-SHA256-PAYLOAD (exported for building test bodies). */
export function chunkSignature(ctx: { signingKey: Uint8Array; amzDate: string; scope: string }, previousSignature: string, data: Uint8Array): string {
  return signHex(ctx.signingKey, chunkStringToSign({ ...ctx, signingKey: Buffer.from(ctx.signingKey), seedSignature: '' }, previousSignature, data));
}

/** Signature over the trailing headers of STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER. */
export function trailerSignature(
  ctx: { signingKey: Uint8Array; amzDate: string; scope: string },
  previousSignature: string,
  canonicalTrailers: string,
): string {
  return signHex(ctx.signingKey, ['AWS4-HMAC-SHA256-TRAILER', ctx.amzDate, ctx.scope, previousSignature, sha256Hex(canonicalTrailers)].join('\n'));
}

const CRLF = Buffer.from('\r\n');

function decodeAwsChunked(raw: Buffer, options: ChunkDecodeOptions): DecodedPayload {
  const framing = (why: string) => new SigV4Error('IncompleteBody', 400, `The aws-chunked request body is malformed: ${why}.`);
  const badSignature = () =>
    new SigV4Error(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  const parts: Buffer[] = [];
  let offset = 0;
  let previous = options.signed?.seedSignature ?? '';
  const readLine = (): string => {
    const end = raw.indexOf(CRLF, offset);
    if (end === -1) throw framing('a chunk header or trailer line is not terminated by CRLF');
    const line = raw.subarray(offset, end).toString('latin1');
    offset = end + 2;
    return line;
  };

  for (;;) {
    const header = readLine();
    const [sizeText = '', ...extensions] = header.split(';');
    if (!/^[0-9a-fA-F]+$/.test(sizeText.trim())) throw framing(`'${header.slice(0, 40)}' is not a chunk size`);
    const size = Number.parseInt(sizeText.trim(), 16);
    if (offset + size > raw.length) throw framing('a chunk is shorter than its announced size');
    const data = raw.subarray(offset, offset + size);
    offset += size;
    if (options.signed) {
      const ext = extensions.find((e) => e.trim().startsWith('chunk-signature='));
      if (!ext) throw badSignature();
      const given = ext.trim().slice('chunk-signature='.length);
      const expected = signHex(options.signed.signingKey, chunkStringToSign(options.signed, previous, data));
      if (!sameSignature(expected, given)) throw badSignature();
      previous = expected;
    }
    if (size === 0) break;
    parts.push(data);
    if (!raw.subarray(offset, offset + 2).equals(CRLF)) throw framing('chunk data is not followed by CRLF');
    offset += 2;
  }

  const trailers: Record<string, string> = {};
  let trailerSignatureGiven: string | undefined;
  const canonicalTrailerLines: string[] = [];
  if (options.trailer) {
    // Trailer lines follow the zero-length chunk until an empty line (or the end).
    while (offset < raw.length) {
      const line = readLine();
      if (line === '') break;
      const colon = line.indexOf(':');
      if (colon === -1) throw framing(`trailer line '${line.slice(0, 40)}' has no ':'`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'x-amz-trailer-signature') {
        trailerSignatureGiven = value;
      } else {
        trailers[name] = value;
        canonicalTrailerLines.push(`${name}:${value}\n`);
      }
    }
    if (options.signed) {
      if (trailerSignatureGiven === undefined) throw badSignature();
      const expected = trailerSignature(options.signed, previous, canonicalTrailerLines.join(''));
      if (!sameSignature(expected, trailerSignatureGiven)) throw badSignature();
    }
  } else if (raw.subarray(offset, offset + 2).equals(CRLF)) {
    offset += 2;
  }
  if (raw.subarray(offset).some((b) => b !== 0x0d && b !== 0x0a)) {
    throw framing('there are bytes after the final chunk');
  }
  return { body: Buffer.concat(parts), trailers };
}

// ---------------------------------------------------------- POST policies

export interface PostPolicySignature {
  /** The base64 policy exactly as posted. */
  policy: string;
  /** x-amz-credential: <access key>/<date>/<region>/s3/aws4_request */
  credential: string;
  /** x-amz-signature, hex. */
  signature: string;
}

/**
 * Browser-based POST uploads sign the base64 policy itself with the SigV4
 * signing key of the credential's scope. Returns the access key on success.
 */
export function verifyPostPolicySignature(
  input: PostPolicySignature,
  options: Pick<SigV4Options, 'credentials' | 'region' | 'service'>,
): { accessKeyId: string } {
  const bad = (why: string) => new SigV4Error('AuthorizationQueryParametersError', 400, `Error parsing the X-Amz-Credential parameter; ${why}`);
  const scope = parseCredential(input.credential, bad);
  if (scope.terminator !== 'aws4_request') throw bad(`incorrect terminal "${scope.terminator}". This endpoint uses "aws4_request".`);
  if (scope.service !== options.service) throw bad(`incorrect service "${scope.service}". This endpoint uses "${options.service}".`);
  if (scope.region !== options.region) throw bad(`the region '${scope.region}' is wrong; expecting '${options.region}'`);
  if (!/^\d{8}$/.test(scope.shortDate)) throw bad('the date must be yyyyMMdd');
  const secret = options.credentials(scope.accessKeyId);
  if (secret === undefined) {
    throw new SigV4Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.', {
      AWSAccessKeyId: scope.accessKeyId,
    });
  }
  const key = deriveSigningKey(secret, scope.shortDate, scope.region, scope.service);
  if (!sameSignature(signHex(key, input.policy), input.signature)) {
    throw new SigV4Error(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { AWSAccessKeyId: scope.accessKeyId },
    );
  }
  return { accessKeyId: scope.accessKeyId };
}
