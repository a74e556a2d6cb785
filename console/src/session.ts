import type { ConsoleConfig } from './config.ts';

/*
 * Who is signed in: the ID token (Cognito's, or the local issuer's) and its claims, kept in sessionStorage so a
 * reload keeps the session but closing the tab ends it (operators often share a phone).
 */
export type Claims = { sub: string; name?: string; role: 'village_operator' | 'approver' | 'admin'; tier?: string; region: string; exp: number; username?: string };
export type Session = { token: string; claims: Claims };

const KEY = 'verval.session';

export function decodeClaims(token: string): Claims {
  const part = token.split('.')[1] ?? '';
  const json = decodeURIComponent(
    atob(part.replace(/-/g, '+').replace(/_/g, '/'))
      .split('')
      .map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
      .join(''),
  );
  const raw = JSON.parse(json) as Record<string, unknown>;
  return {
    sub: String(raw.sub),
    role: raw.role as Claims['role'],
    region: String(raw.region ?? ''),
    exp: Number(raw.exp ?? 0),
    ...(raw.name !== undefined && { name: String(raw.name) }),
    ...(raw.tier !== undefined && { tier: String(raw.tier) }),
    ...(raw['cognito:username'] !== undefined && { username: String(raw['cognito:username']) }),
  };
}

export function currentSession(): Session | undefined {
  try {
    const token = sessionStorage.getItem(KEY);
    if (!token) return undefined;
    const claims = decodeClaims(token);
    if (claims.exp * 1000 < Date.now()) {
      sessionStorage.removeItem(KEY);
      return undefined;
    }
    return { token, claims };
  } catch {
    return undefined;
  }
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}

export class SignInError extends Error {
  constructor(readonly code: 'WRONG_CREDENTIALS' | 'CHALLENGE' | 'NETWORK') {
    super(code);
  }
}

/** Locally POST <issuer>/token; in the cloud Cognito's InitiateAuth with USER_PASSWORD_AUTH, over plain fetch. */
export async function signIn(config: ConsoleConfig, username: string, password: string): Promise<Session> {
  let token: string;
  const auth = config.auth;
  let response: Response;
  try {
    response =
      auth.kind === 'local'
        ? await fetch(`${auth.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })
        : await fetch(`https://cognito-idp.${auth.region}.amazonaws.com/`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
            body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: auth.clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }),
          });
  } catch {
    throw new SignInError('NETWORK');
  }
  if (!response.ok) throw new SignInError('WRONG_CREDENTIALS');
  const body = (await response.json()) as { idToken?: string; AuthenticationResult?: { IdToken?: string }; ChallengeName?: string };
  if (auth.kind === 'local') token = body.idToken ?? '';
  else {
    if (body.ChallengeName) throw new SignInError('CHALLENGE');
    token = body.AuthenticationResult?.IdToken ?? '';
  }
  if (!token) throw new SignInError('WRONG_CREDENTIALS');
  sessionStorage.setItem(KEY, token);
  return { token, claims: decodeClaims(token) };
}
