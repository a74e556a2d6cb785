import { createHmac } from 'node:crypto';

export type IdentityKind = 'NIK' | 'KK';

/**
 * A keyed hash for looking people up without storing their numbers in keys.
 * HMAC rather than a plain hash because 16-digit NIKs with a known structure
 * are easy to enumerate; without the secret the key reveals nothing.
 */
export function identityKey(secret: string | Uint8Array, kind: IdentityKind, value: string): string {
  return createHmac('sha256', secret).update(`${kind}:${value}`).digest('hex');
}
