import { describe, expect, it } from 'vitest';
import { isPreflight, preflightHeaders, responseCorsHeaders } from '../../../local/api-gateway/cors.ts';
import { parseRouteKey, readHttpApis, type ApiRoute, type CorsConfiguration } from '../../../local/api-gateway/model.ts';
import { flattenClaims, isTextContentType, MalformedResponseError, responseOf } from '../../../local/api-gateway/payload.ts';
import { matchRoute } from '../../../local/api-gateway/routes.ts';
import { TokenBucket } from '../../../local/api-gateway/throttle.ts';
import { isLocalRuntimeError } from '../../../local/errors.ts';
import { createTemplateContext, type CfnTemplate } from '../../../local/template.ts';

function route(routeKey: string): ApiRoute {
  return {
    logicalId: routeKey,
    routeKey,
    ...parseRouteKey(routeKey, routeKey),
    authorization: { type: 'NONE' },
    integration: { logicalId: 'I', functionLogicalId: 'F', functionName: 'f', timeoutMs: 30_000 },
  };
}

describe('route selection', () => {
  const routes = ['GET /proposals/{id}', 'GET /proposals/mine', 'ANY /proposals/{id}', 'POST /proposals/{id}/submit', 'ANY /files/{proxy+}', 'GET /', '$default'].map(route);
  const pick = (method: string, path: string) => {
    const match = matchRoute(routes, method, path);
    return match && { routeKey: match.route.routeKey, params: match.pathParameters };
  };

  it('prefers a literal segment, then a parameter, then a greedy one, and $default last', () => {
    expect(pick('GET', '/proposals/mine')).toEqual({ routeKey: 'GET /proposals/mine', params: undefined });
    expect(pick('GET', '/proposals/01J')).toEqual({ routeKey: 'GET /proposals/{id}', params: { id: '01J' } });
    expect(pick('GET', '/files/a/b/c.pdf')).toEqual({ routeKey: 'ANY /files/{proxy+}', params: { proxy: 'a/b/c.pdf' } });
    expect(pick('GET', '/elsewhere')).toEqual({ routeKey: '$default', params: undefined });
    expect(pick('GET', '/')).toEqual({ routeKey: 'GET /', params: undefined });
  });

  it('prefers the method over ANY, and decodes parameters', () => {
    expect(pick('DELETE', '/proposals/01J')).toEqual({ routeKey: 'ANY /proposals/{id}', params: { id: '01J' } });
    expect(pick('POST', '/proposals/a%2Fb%20c/submit')).toEqual({ routeKey: 'POST /proposals/{id}/submit', params: { id: 'a/b c' } });
  });

  it('does not match an empty parameter, a greedy parameter with nothing, or a longer path', () => {
    expect(pick('POST', '/proposals//submit')?.routeKey).toBe('$default');
    expect(pick('GET', '/files/')?.routeKey).toBe('$default');
    expect(pick('GET', '/proposals/01J/extra')?.routeKey).toBe('$default');
    expect(matchRoute([route('GET /a')], 'GET', '/b')).toBeUndefined();
  });

  it('refuses a route key it cannot read', () => {
    expect(() => parseRouteKey('R', 'GET proposals')).toThrow(/route key/);
    expect(() => parseRouteKey('R', 'GET /{proxy+}/more')).toThrow(/last path segment/);
  });
});

describe('reading the template', () => {
  const api = (extra: Record<string, unknown> = {}) => ({ Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'Api', ProtocolType: 'HTTP', ...extra } });
  const fn = { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x' } };
  const integration = (extra: Record<string, unknown> = {}) => ({
    Type: 'AWS::ApiGatewayV2::Integration',
    Properties: { ApiId: { Ref: 'Api' }, IntegrationType: 'AWS_PROXY', IntegrationUri: { 'Fn::GetAtt': ['Fn', 'Arn'] }, PayloadFormatVersion: '2.0', ...extra },
  });
  const routeResource = (extra: Record<string, unknown> = {}) => ({
    Type: 'AWS::ApiGatewayV2::Route',
    Properties: { ApiId: { Ref: 'Api' }, RouteKey: 'GET /x', Target: { 'Fn::Join': ['', ['integrations/', { Ref: 'Integration' }]] }, ...extra },
  });
  const read = (resources: CfnTemplate['Resources']) => {
    const template: CfnTemplate = { Resources: resources };
    return readHttpApis(template, createTemplateContext(template, { region: 'ap-southeast-3', stackName: 'T' }));
  };
  const refusal = (resources: CfnTemplate['Resources']) => {
    try {
      read(resources);
    } catch (error) {
      expect(isLocalRuntimeError(error, 'UNSUPPORTED_RESOURCE')).toBe(true);
      return (error as Error).message;
    }
    throw new Error('expected the template to be refused');
  };

  it('follows a route to its integration and function, by Ref, and an integration URI in the invocation form', () => {
    const [model] = read({
      Api: api(),
      Fn: fn,
      Integration: integration({
        IntegrationUri: { 'Fn::Join': ['', ['arn:aws:apigateway:ap-southeast-3:lambda:path/2015-03-31/functions/', { 'Fn::GetAtt': ['Fn', 'Arn'] }, '/invocations']] },
        TimeoutInMillis: 5000,
      }),
      Route: routeResource(),
      Stage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Api' }, StageName: '$default', DefaultRouteSettings: { ThrottlingBurstLimit: 10, ThrottlingRateLimit: 5 } } },
    });
    expect(model!.routes[0]).toMatchObject({ routeKey: 'GET /x', authorization: { type: 'NONE' }, integration: { functionLogicalId: 'Fn', timeoutMs: 5000 } });
    expect(model!.stages[0]).toMatchObject({ name: '$default', defaultThrottle: { burstLimit: 10, rateLimit: 5 } });
    expect(model!.cors).toBeUndefined();
  });

  it('refuses what it cannot serve as API Gateway would, naming the resource', () => {
    expect(refusal({ Api: api({ ProtocolType: 'WEBSOCKET' }) })).toContain('Api is a WEBSOCKET API');
    expect(refusal({ Api: api(), Fn: fn, Integration: integration({ PayloadFormatVersion: '1.0' }) })).toContain('payload format 1.0');
    expect(refusal({ Api: api(), Fn: fn, Integration: integration({ IntegrationType: 'HTTP_PROXY' }) })).toContain('HTTP_PROXY');
    expect(refusal({ Api: api(), Fn: fn, Integration: integration(), Route: routeResource({ AuthorizationType: 'AWS_IAM' }) })).toContain('AWS_IAM authorization');
    expect(refusal({ Api: api(), Integration: integration({ IntegrationUri: 'arn:aws:lambda:ap-southeast-3:1:function:other' }) })).toContain('not a Lambda function of this template');
  });
});

describe('payload format 2.0 helpers', () => {
  it('flattens claims to strings as API Gateway does', () => {
    expect(flattenClaims({ sub: 'a', exp: 1700000000, email_verified: true, 'cognito:groups': ['admin', 'approver'], address: { region: '81', city: 'Ambon' } })).toEqual({
      sub: 'a',
      exp: '1700000000',
      email_verified: 'true',
      'cognito:groups': '[admin approver]',
      address: 'map[city:Ambon region:81]',
    });
  });

  it('passes text bodies as text and everything else as base64', () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'text/csv', 'application/problem+json', 'application/xml']) expect(isTextContentType(type)).toBe(true);
    for (const type of ['image/jpeg', 'application/pdf', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) expect(isTextContentType(type)).toBe(false);
  });

  it('reads a structured response, and takes anything else for a 200 JSON body', () => {
    const structured = responseOf({ statusCode: 202, headers: { 'X-Count': 3 }, cookies: ['a=1'], body: 'aGk=', isBase64Encoded: true });
    expect(structured).toMatchObject({ statusCode: 202, headers: { 'x-count': '3' }, cookies: ['a=1'] });
    expect(structured.body.toString()).toBe('hi');
    expect(structured.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(responseOf({ statusCode: 204 }).body.length).toBe(0);
    const inferred = responseOf({ body: 'not a response', items: [1] });
    expect(inferred).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(inferred.body.toString())).toEqual({ body: 'not a response', items: [1] });
    expect(responseOf('ok').body.toString()).toBe('"ok"');
    expect(() => responseOf({ statusCode: '200' })).toThrow(MalformedResponseError);
    expect(() => responseOf({ statusCode: 200, body: { a: 1 } })).toThrow(MalformedResponseError);
  });
});

describe('throttling', () => {
  it('serves a burst, then refills at the rate', () => {
    const bucket = new TokenBucket({ burstLimit: 3, rateLimit: 2 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(400)).toBe(false);
    expect(bucket.take(500)).toBe(true);
    expect(bucket.take(10_000) && bucket.take(10_000) && bucket.take(10_000)).toBe(true);
    expect(bucket.take(10_000)).toBe(false);
  });

  it('refuses everything with limits of zero', () => {
    expect(new TokenBucket({ burstLimit: 0, rateLimit: 0 }, 0).take(5000)).toBe(false);
  });
});

describe('CORS', () => {
  const cors: CorsConfiguration = {
    allowOrigins: ['https://*.verval.example', 'http://localhost:5173'],
    allowMethods: ['*'],
    allowHeaders: ['*'],
    exposeHeaders: [],
    maxAge: undefined,
    allowCredentials: true,
  };

  it('matches wildcard origins and echoes what a wildcard allows', () => {
    const headers = { origin: 'https://maluku.verval.example', 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'X-Trace' };
    expect(isPreflight('OPTIONS', headers)).toBe(true);
    expect(preflightHeaders(cors, headers)).toEqual({
      'access-control-allow-origin': 'https://maluku.verval.example',
      'access-control-allow-methods': 'DELETE',
      'access-control-allow-headers': 'x-trace',
      'access-control-allow-credentials': 'true',
    });
    expect(preflightHeaders(cors, { ...headers, origin: 'https://verval.example.evil' })).toEqual({});
    expect(responseCorsHeaders(cors, 'http://localhost:5173')).toMatchObject({ 'access-control-allow-origin': 'http://localhost:5173', vary: 'Origin' });
    expect(responseCorsHeaders(cors, undefined)).toEqual({});
    expect(isPreflight('OPTIONS', { origin: 'x' })).toBe(false);
  });
});
