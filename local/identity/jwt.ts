/**
 * RS256 JSON Web Tokens with node:crypto only: signing for the local issuer, and the checks API Gateway's JWT
 * authorizer makes (signature against a key from the issuer's JWKS, `iss`, `aud` or `client_id`, `exp`,
 * `nbf`, `iat`), each failure described as API Gateway describes it in its `www-authenticate` header.
 */
import { createPublicKey, createSign, createVerify, type JsonWebKey, type KeyObject } from 'node:crypto';

export type JwtClaims = Record<string, unknown>;

export interface JwtHeader {
  alg: string;
  kid?: string;
  typ?: string;
  [key: string]: unknown;
}

/** One public key of a JWKS, as the issuer publishes it. */
export interface PublicJwk extends JsonWebKey {
  kty: string;
  kid: string;
  alg?: string;
  use?: string;
}

export interface Jwks {
  keys: PublicJwk[];
}

export function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export function signJwt(claims: JwtClaims, key: { privateKey: KeyObject; kid: string }): string {
  const header = { kid: key.kid, alg: 'RS256' };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key.privateKey);
  return `${input}.${base64url(signature)}`;
}

export interface JwtExpectations {
  /** The `iss` a token must carry. */
  issuer: string;
  /** A token is accepted if its `aud` (or, without one, its `client_id`) is one of these. */
  audiences: readonly string[];
  /** The issuer's current key set. */
  jwks: () => Jwks | Promise<Jwks>;
  /** Epoch seconds; default now. */
  now?: number;
}

export type JwtVerification = { valid: true; header: JwtHeader; claims: JwtClaims } | { valid: false; reason: string };

/** The token's header and claims, unverified; undefined when it is not a JWT at all. */
export function decodeJwt(token: string): { header: JwtHeader; claims: JwtClaims; signingInput: string; signature: Buffer } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (!isRecord(header) || !isRecord(claims) || typeof header.alg !== 'string') return undefined;
    return { header: header as JwtHeader, claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
  } catch {
    return undefined;
  }
}

const keyCache = new Map<string, KeyObject>();

function publicKeyOf(jwk: PublicJwk): KeyObject {
  const cacheKey = `${jwk.kid}:${jwk.n ?? ''}:${jwk.e ?? ''}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = createPublicKey({ key: jwk, format: 'jwk' });
    keyCache.set(cacheKey, key);
  }
  return key;
}

export async function verifyJwt(token: string, expected: JwtExpectations): Promise<JwtVerification> {
  const fail = (reason: string): JwtVerification => ({ valid: false, reason });
  const decoded = decodeJwt(token);
  if (!decoded) return fail('token contains an invalid number of segments');
  const { header, claims } = decoded;
  if (header.alg !== 'RS256') return fail(`signing method ${header.alg} is invalid`);
  const jwk = (await expected.jwks()).keys.find((candidate) => candidate.kid === header.kid);
  if (!jwk) return fail('unable to find a signing key that matches the token');
  let signed = false;
  try {
    signed = createVerify('RSA-SHA256').update(decoded.signingInput).verify(publicKeyOf(jwk), decoded.signature);
  } catch {
    signed = false;
  }
  if (!signed) return fail('signature is invalid');

  const now = expected.now ?? Math.floor(Date.now() / 1000);
  const exp = claims.exp;
  if (typeof exp !== 'number') return fail('the token has no expiry');
  if (now >= exp) return fail('the token has expired');
  if (typeof claims.nbf === 'number' && now < claims.nbf) return fail('the token is not valid yet');
  if (typeof claims.iat === 'number' && now < claims.iat) return fail('the token was issued in the future');
  if (claims.iss !== expected.issuer) return fail('the token does not have a valid issuer');
  const audiences = claims.aud !== undefined ? (Array.isArray(claims.aud) ? claims.aud : [claims.aud]) : [claims.client_id];
  if (!audiences.some((audience) => typeof audience === 'string' && expected.audiences.includes(audience))) {
    return fail('the token does not have a valid audience');
  }
  return { valid: true, header, claims };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
