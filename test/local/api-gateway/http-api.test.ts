import { generateKeyPairSync, createPrivateKey } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHttpApis } from '../../../local/api-gateway/model.ts';
import { MAX_PAYLOAD_BYTES, startHttpApi, type AccessLogEntry, type HttpApiServer } from '../../../local/api-gateway/server.ts';
import { startIssuer, type IssuerUser, type LocalIssuer } from '../../../local/identity/issuer.ts';
import { signJwt } from '../../../local/identity/jwt.ts';
import { identityFromTemplate } from '../../../local/identity/template.ts';
import type { LocalFunctions } from '../../../local/lambda/functions.ts';
import { LOCAL_ACCOUNT_ID } from '../../../local/template.ts';
import { logicalIdOf, ORIGIN, REGION, startTestFunctions, synthesizeTestStack, type SynthesizedTestStack } from './support.ts';

const USERS: IssuerUser[] = [
  { username: 'operator-81.71.01.1006', password: 'pw-operator', name: 'Yohana Tanamal', role: 'village_operator', region: '81.71.01.1006' },
  { username: 'approver-district-81.71.01', password: 'pw-camat', name: 'Stefanus Rumalutur', role: 'approver', tier: 'district', region: '81.71.01' },
];

/**
 * The HTTP API emulator on a small synthesized stack: routes to a fixture function that echoes its event, a JWT
 * authorizer whose issuer is the stack's Cognito user pool (the local issuer stands in for it), a throttled
 * `$default` stage and a CORS configuration.
 */
describe('local HTTP API from the template', () => {
  let stack: SynthesizedTestStack;
  let functions: LocalFunctions;
  let issuer: LocalIssuer;
  let server: HttpApiServer;
  const access: AccessLogEntry[] = [];
  const integrationErrors: string[] = [];
  let operatorToken: string;

  beforeAll(async () => {
    stack = synthesizeTestStack();
    functions = await startTestFunctions(stack);
    const identity = identityFromTemplate(stack.template, stack.ctx, REGION);
    issuer = await startIssuer({ dataDir: join(stack.dir, 'identity'), users: USERS, audience: identity.audience });
    const [api] = readHttpApis(stack.template, stack.ctx);
    server = await startHttpApi({
      api: api!,
      invoke: (name, event) => functions.invoke(name, event),
      issuer: { url: issuer.url, jwks: () => issuer.jwks() },
      accountId: LOCAL_ACCOUNT_ID,
      onAccess: (entry) => access.push(entry),
      onIntegrationError: (message) => integrationErrors.push(message),
    });
    operatorToken = await token('operator-81.71.01.1006', 'pw-operator');
  }, 240_000);

  afterAll(async () => {
    await server?.close();
    await issuer?.close();
    await functions?.close();
    if (stack) rmSync(stack.dir, { recursive: true, force: true });
  });

  async function token(username: string, password: string): Promise<string> {
    const response = await fetch(`${issuer.url}/token`, { method: 'POST', body: JSON.stringify({ username, password }) });
    expect(response.status).toBe(200);
    return ((await response.json()) as { idToken: string }).idToken;
  }

  /** node:http, for what fetch will not send: repeated headers, a cookie header, an oversized body. */
  function raw(
    method: string,
    path: string,
    headers: Record<string, string | string[]>,
    body?: Buffer | Buffer[],
  ): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: server.port, method, path }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      for (const [name, value] of Object.entries(headers)) req.setHeader(name, value);
      // The server may hang up before an oversized body is all sent; the answer already came.
      req.on('error', () => undefined);
      for (const chunk of Array.isArray(body) ? body : body ? [body] : []) req.write(chunk);
      req.end();
    });
  }

  const echoed = async (response: Response) => ((await response.json()) as { event: Record<string, any> }).event;

  it('takes the audience of its tokens from the template: the user pool client the authorizer names', () => {
    const client = logicalIdOf(stack.template, 'AWS::Cognito::UserPoolClient', 'UsersConsole');
    expect(issuer.audience).toBe(stack.ctx.resources[client]!.ref);
    const [api] = readHttpApis(stack.template, stack.ctx);
    const route = api!.routes.find((candidate) => candidate.routeKey === 'POST /proposals/{id}/submit')!;
    expect(route.authorization).toMatchObject({ type: 'JWT', authorizer: { audiences: [issuer.audience] } });
    const pool = stack.ctx.resources[logicalIdOf(stack.template, 'AWS::Cognito::UserPool', 'Users')]!.ref;
    expect(route.authorization.type === 'JWT' && route.authorization.authorizer.issuer).toBe(`https://cognito-idp.${REGION}.amazonaws.com/${pool}`);
  });

  it('passes a JWT route a payload format 2.0 event as API Gateway builds it', async () => {
    const result = await raw(
      'POST',
      '/proposals/01J%2FABC/submit?a=1&a=2&b=x%20y',
      {
        authorization: `Bearer ${operatorToken}`,
        'content-type': 'application/json',
        'x-dup': ['one', 'two'],
        cookie: 'session=abc; theme=dark',
        'user-agent': 'verval-test',
      },
      Buffer.from('{"note":"kirim"}'),
    );
    expect(result.status).toBe(201);
    const { event } = JSON.parse(result.body.toString('utf8')) as { event: Record<string, any> };
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /proposals/{id}/submit',
      rawPath: '/proposals/01J%2FABC/submit',
      rawQueryString: 'a=1&a=2&b=x%20y',
      cookies: ['session=abc', 'theme=dark'],
      queryStringParameters: { a: '1,2', b: 'x y' },
      pathParameters: { id: '01J/ABC' },
      body: '{"note":"kirim"}',
      isBase64Encoded: false,
    });
    expect(event.headers).toMatchObject({ 'x-dup': 'one,two', 'content-type': 'application/json', 'user-agent': 'verval-test', 'x-forwarded-proto': 'http' });
    expect(event.headers.cookie).toBeUndefined();
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);

    const apiId = stack.ctx.resources[logicalIdOf(stack.template, 'AWS::ApiGatewayV2::Api', 'Api')]!.ref;
    const context = event.requestContext;
    expect(context).toMatchObject({
      accountId: LOCAL_ACCOUNT_ID,
      apiId,
      domainName: `127.0.0.1:${server.port}`,
      http: { method: 'POST', path: '/proposals/01J%2FABC/submit', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'verval-test' },
      routeKey: 'POST /proposals/{id}/submit',
      stage: '$default',
      requestId: result.headers['apigw-requestid'],
    });
    expect(context.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(context.timeEpoch - Date.now())).toBeLessThan(60_000);
    // Every claim a string, as API Gateway flattens them; an ID token has no scopes.
    expect(context.authorizer.jwt).toEqual({
      claims: expect.objectContaining({
        iss: issuer.url,
        aud: issuer.audience,
        'cognito:username': 'operator-81.71.01.1006',
        name: 'Yohana Tanamal',
        role: 'village_operator',
        region: '81.71.01.1006',
        token_use: 'id',
        exp: expect.stringMatching(/^\d+$/),
        iat: expect.stringMatching(/^\d+$/),
        sub: expect.stringMatching(/^[0-9a-f-]{36}$/),
      }),
      scopes: null,
    });
    expect(Object.values(context.authorizer.jwt.claims).every((value) => typeof value === 'string')).toBe(true);

    // The structured response: status, headers, one set-cookie per cookie.
    expect(result.headers['x-echo']).toBe('yes');
    expect(result.headers['set-cookie']).toEqual(['session=abc; HttpOnly', 'theme=dark']);
  });

  it('gives the approver claims, tier included', async () => {
    const camat = await token('approver-district-81.71.01', 'pw-camat');
    const response = await fetch(`${server.url}/proposals/mine`, { headers: { authorization: `Bearer ${camat}` } });
    const event = await echoed(response);
    expect(event.requestContext.authorizer.jwt.claims).toMatchObject({ role: 'approver', tier: 'district', region: '81.71.01' });
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
  });

  it('base64-encodes a binary body, and sends a base64 response as bytes', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0xff]);
    const response = await fetch(`${server.url}/uploads`, { method: 'POST', headers: { authorization: `Bearer ${operatorToken}`, 'content-type': 'image/png' }, body: png });
    const event = await echoed(response);
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body, 'base64').equals(png)).toBe(true);

    const binary = await fetch(`${server.url}/public/binary`);
    expect(binary.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await binary.arrayBuffer())).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]));
  });

  it('selects routes as API Gateway does: literal before {param} before {proxy+}, params decoded', async () => {
    const get = async (path: string) => echoed(await fetch(`${server.url}${path}`, { headers: { authorization: operatorToken } }));
    // Without "Bearer ", the header is the token itself.
    expect(await get('/proposals/mine')).toMatchObject({ routeKey: 'GET /proposals/mine' });
    expect((await get('/proposals/mine')).pathParameters).toBeUndefined();
    expect(await get('/proposals/01HXYZ')).toMatchObject({ routeKey: 'GET /proposals/{id}', pathParameters: { id: '01HXYZ' } });
    const greedy = await echoed(await fetch(`${server.url}/public/files/proposals/a/b%20c.pdf`, { method: 'DELETE' }));
    expect(greedy).toMatchObject({ routeKey: 'ANY /public/files/{proxy+}', pathParameters: { proxy: 'proposals/a/b c.pdf' } });
  });

  it('serves public routes without a token', async () => {
    const response = await fetch(`${server.url}/public/review/81.71.01.1006`);
    expect(response.status).toBe(201);
    const event = await echoed(response);
    expect(event).toMatchObject({ routeKey: 'GET /public/review/{villageCode}', pathParameters: { villageCode: '81.71.01.1006' } });
    expect(event.requestContext.authorizer).toBeUndefined();
    expect((await fetch(`${server.url}/openapi.json`)).status).toBe(201);
  });

  it('makes a plain object a 200 JSON response', async () => {
    const response = await fetch(`${server.url}/public/review/81.71?shape=plain`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ echoed: 'GET /public/review/{villageCode}', ok: true });
  });

  it('answers 404 for a path or method no route has', async () => {
    for (const [method, path] of [['GET', '/nowhere'], ['POST', '/public/review/81.71'], ['GET', '/proposals/x/submit']] as const) {
      const response = await fetch(`${server.url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.json()).toEqual({ message: 'Not Found' });
    }
  });

  describe('JWT authorization', () => {
    const submit = (authorization?: string) =>
      fetch(`${server.url}/proposals/01J/submit`, { method: 'POST', headers: authorization ? { authorization } : {} });
    const signingKey = () => {
      const { privateKeyPem } = JSON.parse(readFileSync(join(stack.dir, 'identity', 'signing-key.json'), 'utf8')) as { privateKeyPem: string };
      return { privateKey: createPrivateKey(privateKeyPem), kid: issuer.jwks().keys[0]!.kid };
    };
    const claims = (overrides: Record<string, unknown> = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return { sub: 'x', iss: issuer.url, aud: issuer.audience, token_use: 'id', iat: now, exp: now + 600, role: 'admin', region: '81', ...overrides };
    };
    const expectUnauthorized = async (response: Response, why?: RegExp) => {
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
      if (why) expect(response.headers.get('www-authenticate')).toMatch(why);
    };

    it('refuses a request without a token', async () => {
      await expectUnauthorized(await submit());
      await expectUnauthorized(await submit('Bearer '));
    });

    it('refuses an expired token, and one not valid yet', async () => {
      const expired = await issuer.issueToken('operator-81.71.01.1006', { now: Math.floor(Date.now() / 1000) - 7200 });
      await expectUnauthorized(await submit(`Bearer ${expired}`), /expired/);
      const early = signJwt(claims({ nbf: Math.floor(Date.now() / 1000) + 600 }), signingKey());
      await expectUnauthorized(await submit(`Bearer ${early}`), /not valid yet/);
    });

    it('refuses a token signed by another key, even under the issuer key id', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const forged = signJwt(claims(), { privateKey, kid: issuer.jwks().keys[0]!.kid });
      await expectUnauthorized(await submit(`Bearer ${forged}`), /signature/);
      const unknownKid = signJwt(claims(), { privateKey, kid: 'someone-else' });
      await expectUnauthorized(await submit(`Bearer ${unknownKid}`), /signing key/);
    });

    it('refuses a wrong audience or issuer, and accepts client_id when there is no aud', async () => {
      await expectUnauthorized(await submit(`Bearer ${signJwt(claims({ aud: 'another-client' }), signingKey())}`), /audience/);
      const cognito = `https://cognito-idp.${REGION}.amazonaws.com/elsewhere`;
      await expectUnauthorized(await submit(`Bearer ${signJwt(claims({ iss: cognito }), signingKey())}`), /issuer/);
      await expectUnauthorized(await submit('Bearer not.a.jwt'));
      const access = signJwt(claims({ aud: undefined, client_id: issuer.audience, token_use: 'access', scope: 'openid profile' }), signingKey());
      const response = await submit(`Bearer ${access}`);
      expect(response.status).toBe(201);
      expect((await echoed(response)).requestContext.authorizer.jwt.scopes).toEqual(['openid', 'profile']);
    });

    it("answers 403 when a route's authorization scopes are not in the token", async () => {
      const idToken = await fetch(`${server.url}/scoped`, { headers: { authorization: `Bearer ${operatorToken}` } });
      expect(idToken.status).toBe(403);
      expect(await idToken.json()).toEqual({ message: 'Forbidden' });
      const scoped = signJwt(claims({ aud: undefined, client_id: issuer.audience, token_use: 'access', scope: 'openid verval/admin' }), signingKey());
      expect((await fetch(`${server.url}/scoped`, { headers: { authorization: `Bearer ${scoped}` } })).status).toBe(201);
    });
  });

  it('answers 500 when the function fails or returns what API Gateway cannot use, and 503 past the integration timeout', async () => {
    const failed = await fetch(`${server.url}/public/fail`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ message: 'Internal Server Error' });
    expect(integrationErrors.join('\n')).toContain('Echo.Failed: the echo failed on purpose');

    const bad = await fetch(`${server.url}/public/review/81?shape=bad`);
    expect(bad.status).toBe(500);
    expect(integrationErrors.join('\n')).toContain('statusCode must be an integer');

    const slow = await fetch(`${server.url}/public/slow`);
    expect(slow.status).toBe(503);
    expect(await slow.json()).toEqual({ message: 'Service Unavailable' });
  });

  it('refuses a body over 10 MB with 413, declared or streamed', async () => {
    const declared = await raw('POST', '/uploads', { authorization: `Bearer ${operatorToken}`, 'content-length': String(MAX_PAYLOAD_BYTES + 1), 'content-type': 'application/octet-stream' }, [
      Buffer.alloc(64 * 1024),
    ]);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body.toString('utf8'))).toEqual({ message: 'Request Entity Too Large' });

    const chunk = Buffer.alloc(1024 * 1024, 7);
    const streamed = await raw('POST', '/uploads', { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/octet-stream' }, Array.from({ length: 11 }, () => chunk));
    expect(streamed.status).toBe(413);
  });

  it('throttles a burst beyond the route settings with 429, leaving other routes alone', async () => {
    const statuses = await Promise.all(Array.from({ length: 20 }, () => fetch(`${server.url}/burst`).then(async (response) => ({ status: response.status, body: await response.text() }))));
    const ok = statuses.filter(({ status }) => status === 201).length;
    const throttled = statuses.filter(({ status }) => status === 429);
    // Burst 5, refilled at one every 2 s while the burst is served.
    expect(ok).toBeGreaterThanOrEqual(5);
    expect(ok).toBeLessThanOrEqual(8);
    expect(throttled.length).toBe(20 - ok);
    expect(JSON.parse(throttled[0]!.body)).toEqual({ message: 'Too Many Requests' });
    expect((await fetch(`${server.url}/openapi.json`)).status).toBe(201);
  });

  describe('CORS', () => {
    it('answers a preflight itself, without a token, for the configured origin', async () => {
      const response = await fetch(`${server.url}/proposals/01J/submit`, {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'Authorization, Content-Type' },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST');
      expect(response.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
      expect(response.headers.get('access-control-max-age')).toBe('3600');
    });

    it('gives another origin, or a method not allowed, no CORS headers', async () => {
      const stranger = await fetch(`${server.url}/proposals/01J/submit`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(stranger.status).toBe(204);
      expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
      const put = await fetch(`${server.url}/proposals/01J/submit`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'PUT' } });
      expect(put.headers.get('access-control-allow-origin')).toBeNull();
    });

    it("puts the API's CORS headers on actual responses, replacing the function's", async () => {
      const response = await fetch(`${server.url}/public/review/81.71.01.1006`, { headers: { origin: ORIGIN } });
      expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(response.headers.get('access-control-expose-headers')).toBe('x-echo');
      const denied = await fetch(`${server.url}/proposals/x/submit`, { method: 'POST', headers: { origin: ORIGIN } });
      expect(denied.status).toBe(401);
      expect(denied.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    });
  });

  it('logs every request with its route and status', () => {
    expect(access).toContainEqual(expect.objectContaining({ method: 'GET', path: '/nowhere', routeKey: null, status: 404 }));
    expect(access).toContainEqual(expect.objectContaining({ method: 'GET', path: '/proposals/mine', routeKey: 'GET /proposals/mine', status: 201 }));
    expect(access).toContainEqual(expect.objectContaining({ path: '/burst', routeKey: 'GET /burst', status: 429, reason: 'throttled by the stage settings' }));
  });
});
