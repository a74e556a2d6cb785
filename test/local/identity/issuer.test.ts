import { createPublicKey, createVerify } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, demoUsers, type DemoUser } from '../../../local/demo-users.ts';
import { startIssuer, type LocalIssuer, type PreTokenGenerationTrigger } from '../../../local/identity/issuer.ts';
import { decodeJwt, verifyJwt, type Jwks } from '../../../local/identity/jwt.ts';

const AUDIENCE = 'local-client-id';

/** Checks a token the way any relying party would: the issuer's discovery document, its JWKS, RS256. */
async function verifiedClaims(issuerUrl: string, token: string): Promise<Record<string, unknown>> {
  const discovery = (await (await fetch(`${issuerUrl}/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
  expect(discovery.issuer).toBe(issuerUrl);
  const jwks = (await (await fetch(discovery.jwks_uri)).json()) as Jwks;
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string; alg: string };
  expect(alg).toBe('RS256');
  const jwk = jwks.keys.find((key) => key.kid === kid);
  expect(jwk).toBeDefined();
  const valid = createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(createPublicKey({ key: jwk!, format: 'jwk' }), Buffer.from(signature, 'base64url'));
  expect(valid).toBe(true);
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
}

describe('local token issuer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'verval-issuer-'));
  let users: DemoUser[];
  let issuer: LocalIssuer;

  beforeAll(async () => {
    users = demoUsers('81');
    issuer = await startIssuer({ dataDir: join(dir, 'identity'), users, audience: AUDIENCE });
  });

  afterAll(async () => {
    await issuer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const signIn = (body: string, contentType = 'application/json') =>
    fetch(`${issuer.url}/token`, { method: 'POST', headers: { 'content-type': contentType }, body });

  it('issues a demo user an ID token that verifies against its JWKS, with the claims the API reads', async () => {
    const camat = users.find((user) => user.tier === 'district')!;
    const response = await signIn(JSON.stringify({ username: camat.username, password: DEMO_PASSWORD }));
    expect(response.status).toBe(200);
    const { idToken, expiresIn } = (await response.json()) as { idToken: string; expiresIn: number };
    expect(expiresIn).toBe(3600);
    const claims = await verifiedClaims(issuer.url, idToken);
    expect(claims).toMatchObject({
      iss: issuer.url,
      aud: AUDIENCE,
      token_use: 'id',
      'cognito:username': camat.username,
      name: camat.name,
      role: 'approver',
      tier: 'district',
      region: camat.region,
    });
    expect(claims.exp).toBe((claims.iat as number) + 3600);
    expect(Math.abs((claims.iat as number) - Date.now() / 1000)).toBeLessThan(60);
    expect(claims.sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const operator = users.find((user) => user.role === 'village_operator')!;
    const again = (await (await signIn(JSON.stringify({ username: operator.username, password: DEMO_PASSWORD }))).json()) as { idToken: string };
    const operatorClaims = decodeJwt(again.idToken)!.claims;
    expect(operatorClaims).toMatchObject({ role: 'village_operator', region: operator.region });
    expect(operatorClaims.tier).toBeUndefined();
    // One subject per user, for life.
    expect(operatorClaims.sub).not.toBe(claims.sub);
  });

  it('takes `curl -d` JSON (sent as a form) and a real form', async () => {
    const admin = users.find((user) => user.role === 'admin')!;
    const asForm = await signIn(JSON.stringify({ username: admin.username, password: DEMO_PASSWORD }), 'application/x-www-form-urlencoded');
    expect(asForm.status).toBe(200);
    const form = await signIn(new URLSearchParams({ username: admin.username, password: DEMO_PASSWORD }).toString(), 'application/x-www-form-urlencoded');
    expect(form.status).toBe(200);
    expect(decodeJwt(((await form.json()) as { idToken: string }).idToken)!.claims).toMatchObject({ role: 'admin', region: '81' });
  });

  it('answers 401 for a wrong password or an unknown user, 400 for a malformed body', async () => {
    const wrong = await signIn(JSON.stringify({ username: users[0]!.username, password: 'verval-demo!' }));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    const unknown = await signIn(JSON.stringify({ username: 'nobody', password: DEMO_PASSWORD }));
    expect(unknown.status).toBe(401);
    for (const body of ['{"username": "x"', '[]', '{"username": 1, "password": "x"}', '']) {
      const malformed = await signIn(body);
      expect(malformed.status, body).toBe(400);
      expect(((await malformed.json()) as { error: string }).error).toBe('InvalidParameterException');
    }
    expect((await fetch(`${issuer.url}/token`)).status).toBe(405);
    expect((await fetch(`${issuer.url}/nowhere`)).status).toBe(404);
  });

  it('mints a token with exactly the claims a script names, and refuses claims that do not fit together', async () => {
    const response = await signIn(JSON.stringify({ sub: 'script-1', role: 'approver', tier: 'regency', region: '81.71' }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe('Bearer');
    const claims = await verifiedClaims(issuer.url, body.access_token);
    expect(claims).toMatchObject({ iss: issuer.url, aud: AUDIENCE, sub: 'script-1', role: 'approver', tier: 'regency', region: '81.71' });
    const inconsistent = await signIn(JSON.stringify({ sub: 'script-2', role: 'village_operator', region: '81.71' }));
    expect(inconsistent.status).toBe(400);
  });

  it('keeps its key across a restart: the same JWKS, and earlier tokens still verify', async () => {
    const before = issuer.jwks();
    const token = await issuer.issueToken(users[0]!.username);
    expect(statSync(join(dir, 'identity', 'signing-key.json')).mode & 0o777).toBe(0o600);
    await issuer.close();
    issuer = await startIssuer({ dataDir: join(dir, 'identity'), users, audience: AUDIENCE });
    expect(issuer.jwks()).toEqual(before);
    const result = await verifyJwt(token, { issuer: decodeJwt(token)!.claims.iss as string, audiences: [AUDIENCE], jwks: () => issuer.jwks() });
    expect(result.valid).toBe(true);
  });

  it("runs the user pool's pre-token-generation trigger and applies its overrides", async () => {
    const events: Record<string, unknown>[] = [];
    const trigger = (version: '1' | '2', response: Record<string, unknown>): PreTokenGenerationTrigger => ({
      version,
      userPoolId: 'ap-southeast-3_local',
      region: 'ap-southeast-3',
      invoke: async (event) => {
        events.push(event);
        return { ...event, response };
      },
    });
    const withTrigger = async (preTokenGeneration: PreTokenGenerationTrigger) => {
      const local = await startIssuer({ dataDir: join(dir, 'identity'), users, audience: AUDIENCE, preTokenGeneration });
      try {
        return await fetch(`${local.url}/token`, { method: 'POST', body: JSON.stringify({ username: users[0]!.username, password: DEMO_PASSWORD }) });
      } finally {
        await local.close();
      }
    };
    const v1 = await withTrigger(trigger('1', { claimsOverrideDetails: { claimsToAddOrOverride: { program_scope: 'PKH', sub: 'hijack' }, claimsToSuppress: ['name'] } }));
    const v1Claims = decodeJwt(((await v1.json()) as { idToken: string }).idToken)!.claims;
    expect(v1Claims).toMatchObject({ program_scope: 'PKH', role: 'village_operator' });
    expect(v1Claims.sub).not.toBe('hijack');
    expect(v1Claims.name).toBeUndefined();
    expect(events[0]).toMatchObject({
      version: '1',
      triggerSource: 'TokenGeneration_Authentication',
      userPoolId: 'ap-southeast-3_local',
      userName: users[0]!.username,
      callerContext: { clientId: AUDIENCE },
      request: { userAttributes: { 'custom:role': 'village_operator', 'custom:region': users[0]!.region, 'cognito:user_status': 'CONFIRMED' } },
    });

    const v2 = await withTrigger(trigger('2', { claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToAddOrOverride: { region: '81.71' } } } }));
    expect(decodeJwt(((await v2.json()) as { idToken: string }).idToken)!.claims.region).toBe('81.71');

    const failing: PreTokenGenerationTrigger = { ...trigger('1', {}), invoke: async () => Promise.reject(new Error('no such official')) };
    const refused = await withTrigger(failing);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: 'UserLambdaValidationException', message: 'PreTokenGeneration failed with error no such official.' });
  });
});
