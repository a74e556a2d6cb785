/**
 * A local OpenID issuer standing in for the stack's Cognito user pool: it signs in the demo users and issues
 * RS256 ID tokens with the claims the API reads (`role`, `tier`, `region`, `sub`, `name`, `token_use: "id"`),
 * for the audience the template's user pool client has locally. The key pair is made on the first start and
 * kept in `dataDir`, so tokens survive a restart.
 *
 *   GET  /.well-known/openid-configuration
 *   GET  /.well-known/jwks.json
 *   POST /token   {"username": "...", "password": "..."}  →  {"idToken", "access_token", "expires_in"}
 *   POST /token   {"sub", "role", "tier", "region"}          →  {"access_token", "expires_in"} (scripts and tests)
 *
 * When the user pool has a pre-token-generation trigger, it runs on every sign-in as Cognito runs it, and its
 * claim overrides go into the token.
 */
import { createHash, generateKeyPairSync, createPrivateKey, createPublicKey, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { CallerSchema, type Caller } from '../../domain/access.ts';
import { LocalRuntimeError } from '../errors.ts';
import { gracefulClose } from '../graceful-close.ts';
import { listenOnLoopback } from '../listen.ts';
import { base64url, signJwt, type Jwks, type JwtClaims, type PublicJwk } from './jwt.ts';

export interface IssuerUser {
  username: string;
  password: string;
  name: string;
  role: string;
  tier?: string;
  region: string;
}

/** How Cognito calls a pre-token-generation trigger: event version 1 (V1_0), 2 (V2_0) or 3 (V3_0). */
export interface PreTokenGenerationTrigger {
  version: '1' | '2' | '3';
  userPoolId: string;
  region: string;
  /** Invokes the trigger function with the event; resolves with what it returns. */
  invoke: (event: Record<string, unknown>) => Promise<unknown>;
}

export interface IssuerOptions {
  /** Where the signing key is kept (created if missing). */
  dataDir: string;
  users: readonly IssuerUser[];
  /** `aud` of every token: the user pool client id. */
  audience: string;
  /** 0 or absent picks a free port. */
  port?: number;
  /** Default 3600 (Cognito's default ID token validity). */
  tokenLifetimeSeconds?: number;
  preTokenGeneration?: PreTokenGenerationTrigger;
}

export interface LocalIssuer {
  /** The issuer URL, `iss` of its tokens: http://127.0.0.1:<port> */
  url: string;
  port: number;
  audience: string;
  jwks(): Jwks;
  /** A token for a user without their password, for tests and tools; `now` (epoch seconds) backdates it. */
  issueToken(username: string, options?: { now?: number; lifetimeSeconds?: number }): Promise<string>;
  close(): Promise<void>;
}

/** Failures answered to the caller: status and body. */
class IssuerError extends Error {
  constructor(
    readonly statusCode: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const KEY_FILE = 'signing-key.json';
const MAX_BODY_BYTES = 64 * 1024;

export async function startIssuer(options: IssuerOptions): Promise<LocalIssuer> {
  const key = loadOrCreateKey(options.dataDir);
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const users = new Map(options.users.map((user) => [user.username, user]));
  const jwks: Jwks = { keys: [key.publicJwk] };
  let url = '';

  const issue = async (user: IssuerUser, now: number, lifetimeSeconds: number): Promise<string> => {
    const sub = subjectOf(user.username);
    let claims: JwtClaims = {
      sub,
      iss: url,
      aud: options.audience,
      'cognito:username': user.username,
      name: user.name,
      role: user.role,
      ...(user.tier !== undefined ? { tier: user.tier } : {}),
      region: user.region,
      token_use: 'id',
      auth_time: now,
      iat: now,
      exp: now + lifetimeSeconds,
      jti: randomUUID(),
      origin_jti: randomUUID(),
      event_id: randomUUID(),
    };
    if (options.preTokenGeneration) claims = await runTrigger(options.preTokenGeneration, options.audience, user, sub, claims);
    return signJwt(claims, key);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'OPTIONS') {
      // The web console asks for tokens from the browser.
      res.writeHead(204, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': 'content-type',
        'Access-Control-Max-Age': '3600',
      });
      res.end();
      return;
    }
    if (path === '/.well-known/openid-configuration' && req.method === 'GET') {
      return sendJson(res, 200, {
        issuer: url,
        jwks_uri: `${url}/.well-known/jwks.json`,
        token_endpoint: `${url}/token`,
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'name', 'token_use', 'cognito:username', 'role', 'tier', 'region'],
      });
    }
    if (path === '/.well-known/jwks.json' && req.method === 'GET') return sendJson(res, 200, jwks);
    if (path === '/token') {
      if (req.method !== 'POST') throw new IssuerError(405, 'MethodNotAllowed', 'Use POST /token with {"username": "...", "password": "..."}.');
      const request = tokenRequestOf(await readBody(req), req.headers['content-type']);
      const now = Math.floor(Date.now() / 1000);
      if ('claims' in request) {
        // Scripts and tests name the identity they need; the claims are checked as the API checks them.
        const token = await signJwt(
          { ...request.claims, iss: url, aud: options.audience, token_use: 'id', auth_time: now, iat: now, exp: now + lifetime, jti: randomUUID() },
          key,
        );
        return sendJson(res, 200, { access_token: token, token_type: 'Bearer', expires_in: lifetime });
      }
      const user = users.get(request.username);
      if (!user || !samePassword(user.password, request.password)) throw new IssuerError(401, 'NotAuthorizedException', 'Incorrect username or password.');
      const idToken = await issue(user, now, lifetime);
      return sendJson(res, 200, { idToken, access_token: idToken, token_type: 'Bearer', expires_in: lifetime, expiresIn: lifetime });
    }
    throw new IssuerError(404, 'NotFound', `No ${req.method} ${path} here: GET /.well-known/openid-configuration, GET /.well-known/jwks.json, POST /token.`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof IssuerError) return sendJson(res, error.statusCode, { error: error.type, message: error.message });
      console.error('[local issuer] internal error:', error);
      sendJson(res, 500, { error: 'InternalError', message: 'The local issuer failed; see its console output.' });
    });
  });
  const close = gracefulClose(server);
  const port = await listenOnLoopback(server, options.port, 'The local token issuer');
  url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    audience: options.audience,
    jwks: () => structuredClone(jwks),
    async issueToken(username, tokenOptions = {}) {
      const user = users.get(username);
      if (!user) throw new LocalRuntimeError('INVALID_ARGUMENT', `No user "${username}" at the local issuer.`);
      return issue(user, tokenOptions.now ?? Math.floor(Date.now() / 1000), tokenOptions.lifetimeSeconds ?? lifetime);
    },
    close,
  };
}

// ---------------------------------------------------------------- the signing key

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: PublicJwk;
}

/** The key pair in `<dir>/signing-key.json`, made on first use; its kid is the RFC 7638 thumbprint of the public key. */
function loadOrCreateKey(dir: string): SigningKey {
  const file = join(dir, KEY_FILE);
  let pem: string | undefined;
  if (existsSync(file)) {
    try {
      pem = (JSON.parse(readFileSync(file, 'utf8')) as { privateKeyPem?: string }).privateKeyPem;
    } catch {
      pem = undefined;
    }
    if (typeof pem !== 'string') {
      throw new LocalRuntimeError('ENDPOINT_FAILED', `${file} is damaged: delete it (tokens issued before then stop working) or start with --reset.`);
    }
  }
  if (pem === undefined) {
    mkdirSync(dir, { recursive: true });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    writeFileSync(file, `${JSON.stringify({ privateKeyPem: pem, createdAt: new Date().toISOString() }, null, 2)}\n`, { mode: 0o600 });
  }
  const privateKey = createPrivateKey(pem);
  const { n, e } = createPublicKey(privateKey).export({ format: 'jwk' });
  const kid = base64url(createHash('sha256').update(JSON.stringify({ e, kty: 'RSA', n })).digest());
  return { kid, privateKey, publicJwk: { kty: 'RSA', kid, alg: 'RS256', use: 'sig', n: n!, e: e! } };
}

// ---------------------------------------------------------------- requests

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': bytes.length, 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' });
  res.end(bytes);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => (size > MAX_BODY_BYTES ? reject(new IssuerError(413, 'RequestTooLarge', 'The request body is too large.')) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/**
 * `{"username", "password"}` of a demo user, or `{"sub", "role", "tier"?, "region", "name"?}` for a token with
 * exactly those claims. JSON whatever the Content-Type says (`curl -d '{...}'` sends JSON labelled as a form),
 * or a real form.
 */
function tokenRequestOf(
  body: Buffer,
  contentType: string | undefined,
): { username: string; password: string } | { claims: Caller } {
  const text = body.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    if (contentType?.startsWith('application/x-www-form-urlencoded') && text.includes('=')) value = Object.fromEntries(new URLSearchParams(text));
  }
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  if (record && typeof record.username === 'string' && typeof record.password === 'string' && record.username !== '') {
    return { username: record.username, password: record.password };
  }
  if (record && 'sub' in record) {
    const claims = CallerSchema.safeParse(record);
    if (claims.success) return { claims: claims.data };
    throw new IssuerError(
      400,
      'InvalidParameterException',
      'Claims must fit together: role village_operator with a village region, approver with a tier and a region at its level, admin with any region.',
    );
  }
  throw new IssuerError(
    400,
    'InvalidParameterException',
    'Send a JSON body {"username": "...", "password": "..."} or {"sub": "...", "role": "...", "tier": "...", "region": "..."}.',
  );
}

function samePassword(expected: string, given: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(expected), digest(given));
}

/** A stable UUID per username, as Cognito gives each user one `sub` for life. */
function subjectOf(username: string): string {
  const hex = createHash('sha256').update(`verval-local-user/${username}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// ---------------------------------------------------------------- the pre-token-generation trigger

async function runTrigger(trigger: PreTokenGenerationTrigger, clientId: string, user: IssuerUser, sub: string, claims: JwtClaims): Promise<JwtClaims> {
  const userAttributes: Record<string, string> = {
    sub,
    'cognito:user_status': 'CONFIRMED',
    name: user.name,
    'custom:role': user.role,
    ...(user.tier !== undefined ? { 'custom:tier': user.tier } : {}),
    'custom:region': user.region,
  };
  const event: Record<string, unknown> = {
    version: trigger.version,
    triggerSource: 'TokenGeneration_Authentication',
    region: trigger.region,
    userPoolId: trigger.userPoolId,
    userName: user.username,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId },
    request: {
      userAttributes,
      groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [], preferredRole: null },
      ...(trigger.version === '1' ? {} : { scopes: ['openid', 'aws.cognito.signin.user.admin'] }),
    },
    response: trigger.version === '1' ? { claimsOverrideDetails: null } : { claimsAndScopeOverrideDetails: null },
  };
  let result: unknown;
  try {
    result = await trigger.invoke(event);
  } catch (error) {
    throw new IssuerError(400, 'UserLambdaValidationException', `PreTokenGeneration failed with error ${error instanceof Error ? error.message : String(error)}.`);
  }
  const response = (result as { response?: Record<string, unknown> } | null)?.response;
  const details =
    trigger.version === '1'
      ? (response?.claimsOverrideDetails as Overrides | null | undefined)
      : ((response?.claimsAndScopeOverrideDetails as { idTokenGeneration?: Overrides } | null | undefined)?.idTokenGeneration ?? undefined);
  if (!details) return claims;
  // Cognito keeps these whatever the trigger says.
  const fixed = new Set(['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'token_use', 'cognito:username', 'jti', 'origin_jti', 'event_id']);
  const next = { ...claims };
  for (const [name, value] of Object.entries(details.claimsToAddOrOverride ?? {})) if (!fixed.has(name)) next[name] = value;
  for (const name of details.claimsToSuppress ?? []) if (!fixed.has(name)) delete next[name];
  return next;
}

interface Overrides {
  claimsToAddOrOverride?: Record<string, unknown>;
  claimsToSuppress?: string[];
}
