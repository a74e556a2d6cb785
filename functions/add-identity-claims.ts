import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';

/**
 * Custom attributes (only administrators write them) that become ID-token claims of the same name without
 * the `custom:` prefix: the `Caller` the API authorizes on (domain/access.ts) reads `role`, `tier`, `region`.
 */
const IDENTITY_CLAIMS = ['role', 'tier', 'region'] as const;

/** The identity claims a user's attributes give; an absent or empty attribute gives no claim. */
export function identityClaims(userAttributes: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const name of IDENTITY_CLAIMS) {
    const value = userAttributes[`custom:${name}`];
    if (value) claims[name] = value;
  }
  return claims;
}

/**
 * Cognito pre-token-generation trigger (event version 1): adds the identity claims to the ID token. It does
 * not judge them; the API refuses a token whose claims do not make a valid Caller (CLAIMS_INVALID). Nothing
 * is logged: attributes may name a person.
 */
export async function handler(event: PreTokenGenerationTriggerEvent): Promise<PreTokenGenerationTriggerEvent> {
  const details = event.response.claimsOverrideDetails ?? {};
  event.response.claimsOverrideDetails = {
    ...details,
    claimsToAddOrOverride: { ...details.claimsToAddOrOverride, ...identityClaims(event.request.userAttributes) },
  };
  return event;
}
