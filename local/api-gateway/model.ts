/**
 * An HTTP API as the template declares it, resolved against the local stack: the `AWS::ApiGatewayV2::Api`
 * (its CORS configuration), its `Route`s (route key, `integrations/<id>` target, JWT or no authorization),
 * the `Integration`s they target (a Lambda function of this template, payload format 2.0), the JWT
 * `Authorizer`s (issuer, audiences, identity source) and the `Stage`s (throttling). What the emulator cannot
 * do the way API Gateway does stops the start with a message instead of answering differently.
 */
import { LocalRuntimeError } from '../errors.ts';
import { resolveResourceProperties, resolveTemplateValue, type CfnTemplate, type LocalStackContext } from '../template.ts';

export interface HttpApiModel {
  logicalId: string;
  /** The local API id (Ref of the Api), as `requestContext.apiId`. */
  apiId: string;
  name: string;
  cors: CorsConfiguration | undefined;
  routes: ApiRoute[];
  stages: ApiStage[];
}

export interface CorsConfiguration {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAge: number | undefined;
  allowCredentials: boolean;
}

export type PathSegment = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

export interface ApiRoute {
  logicalId: string;
  /** `POST /proposals/{id}/submit`, `ANY /{proxy+}` or `$default`. */
  routeKey: string;
  /** Upper-case method or ANY; undefined for `$default`. */
  method: string | undefined;
  /** Undefined for `$default`. */
  segments: PathSegment[] | undefined;
  authorization: { type: 'NONE' } | { type: 'JWT'; authorizer: JwtAuthorizer; scopes: string[] };
  integration: LambdaIntegration;
}

export interface JwtAuthorizer {
  logicalId: string;
  name: string;
  /** The issuer the template names (Cognito's URL for the user pool); the local issuer stands in for it. */
  issuer: string;
  audiences: string[];
  /** Where the token is: `$request.header.Authorization` → { in: 'header', name: 'authorization' }. */
  identitySource: { in: 'header' | 'querystring'; name: string }[];
}

export interface LambdaIntegration {
  logicalId: string;
  functionLogicalId: string;
  functionName: string;
  /** API Gateway gives up on the integration after this; 30 s at most for HTTP APIs. */
  timeoutMs: number;
}

export interface Throttle {
  burstLimit: number | undefined;
  rateLimit: number | undefined;
}

export interface ApiStage {
  logicalId: string;
  /** `$default` serves the API at the root; any other name under `/<name>`. */
  name: string;
  defaultThrottle: Throttle;
  /** Per route key. */
  routeThrottles: Map<string, Throttle>;
}

const unsupported = (message: string) => new LocalRuntimeError('UNSUPPORTED_RESOURCE', message);

/** Every HTTP API in the template, in logical-id order. */
export function readHttpApis(template: CfnTemplate, ctx: LocalStackContext): HttpApiModel[] {
  const resources = Object.entries(template.Resources ?? {});
  const ofType = (type: string) => resources.filter(([, resource]) => resource.Type === type).map(([id]) => id);
  const props = (id: string) => resolveResourceProperties(template, id, ctx);
  const refOf = (id: string) => ctx.resources[id]!.ref;
  /** The logical id of the resource of one of `types` whose Ref is `ref`. */
  const byRef = (ref: unknown, types: string[]) =>
    typeof ref === 'string' ? resources.find(([id, resource]) => types.includes(resource.Type) && refOf(id) === ref)?.[0] : undefined;

  const apis: HttpApiModel[] = [];
  for (const apiLogicalId of ofType('AWS::ApiGatewayV2::Api').sort()) {
    const api = props(apiLogicalId);
    if (api.ProtocolType !== 'HTTP') {
      throw unsupported(`${apiLogicalId} is a ${String(api.ProtocolType)} API: only HTTP APIs run locally.`);
    }
    for (const key of ['Body', 'BodyS3Location', 'Target', 'CredentialsArn', 'RouteKey']) {
      if (api[key] !== undefined) throw unsupported(`${apiLogicalId} sets ${key} (an API made from an OpenAPI body or "quick create"): declare routes and integrations instead.`);
    }
    const apiId = refOf(apiLogicalId);
    const belongs = (id: string) => props(id).ApiId === apiId;

    const authorizers = new Map<string, JwtAuthorizer>();
    for (const id of ofType('AWS::ApiGatewayV2::Authorizer').filter(belongs)) {
      const authorizer = props(id);
      if (authorizer.AuthorizerType !== 'JWT') {
        throw unsupported(`${id} is a ${String(authorizer.AuthorizerType)} authorizer: only JWT authorizers run locally.`);
      }
      const jwt = (authorizer.JwtConfiguration ?? {}) as { Issuer?: unknown; Audience?: unknown };
      authorizers.set(id, {
        logicalId: id,
        name: String(authorizer.Name ?? id),
        issuer: String(jwt.Issuer ?? ''),
        audiences: Array.isArray(jwt.Audience) ? jwt.Audience.map(String) : [],
        identitySource: identitySources(id, authorizer.IdentitySource),
      });
    }

    const integrations = new Map<string, LambdaIntegration>();
    for (const id of ofType('AWS::ApiGatewayV2::Integration').filter(belongs)) {
      integrations.set(id, lambdaIntegration(template, ctx, id, props(id)));
    }

    const routes: ApiRoute[] = [];
    for (const id of ofType('AWS::ApiGatewayV2::Route').filter(belongs)) {
      const route = props(id);
      const routeKey = String(route.RouteKey ?? '');
      const target = typeof route.Target === 'string' ? route.Target : undefined;
      // A route without a target answers as if it did not exist.
      if (!target) continue;
      const integrationId = target.startsWith('integrations/') ? byRef(target.slice('integrations/'.length), ['AWS::ApiGatewayV2::Integration']) : undefined;
      const integration = integrationId ? integrations.get(integrationId) : undefined;
      if (!integration) throw unsupported(`${id} (${routeKey}) targets "${target}", which is not an integration of ${apiLogicalId}.`);
      const type = String(route.AuthorizationType ?? 'NONE');
      let authorization: ApiRoute['authorization'];
      if (type === 'NONE') authorization = { type: 'NONE' };
      else if (type === 'JWT') {
        const authorizerId = byRef(route.AuthorizerId, ['AWS::ApiGatewayV2::Authorizer']);
        const authorizer = authorizerId ? authorizers.get(authorizerId) : undefined;
        if (!authorizer) throw unsupported(`${id} (${routeKey}) uses JWT authorization without a JWT authorizer of ${apiLogicalId}.`);
        const scopes = Array.isArray(route.AuthorizationScopes) ? route.AuthorizationScopes.map(String) : [];
        authorization = { type: 'JWT', authorizer, scopes };
      } else {
        throw unsupported(`${id} (${routeKey}) uses ${type} authorization: only JWT and NONE run locally.`);
      }
      routes.push({ logicalId: id, routeKey, ...parseRouteKey(id, routeKey), authorization, integration });
    }

    const stages: ApiStage[] = ofType('AWS::ApiGatewayV2::Stage')
      .filter(belongs)
      .map((id) => {
        const stage = props(id);
        const routeSettings = (stage.RouteSettings ?? {}) as Record<string, unknown>;
        return {
          logicalId: id,
          name: String(stage.StageName ?? '$default'),
          defaultThrottle: throttleOf(stage.DefaultRouteSettings),
          routeThrottles: new Map(Object.entries(routeSettings).map(([key, settings]) => [key, throttleOf(settings)])),
        };
      });

    const cors = api.CorsConfiguration as Record<string, unknown> | undefined;
    apis.push({
      logicalId: apiLogicalId,
      apiId,
      name: String(api.Name ?? apiLogicalId),
      cors: cors
        ? {
            allowOrigins: strings(cors.AllowOrigins),
            allowMethods: strings(cors.AllowMethods).map((method) => method.toUpperCase()),
            allowHeaders: strings(cors.AllowHeaders).map((header) => header.toLowerCase()),
            exposeHeaders: strings(cors.ExposeHeaders),
            maxAge: typeof cors.MaxAge === 'number' ? cors.MaxAge : undefined,
            allowCredentials: cors.AllowCredentials === true || cors.AllowCredentials === 'true',
          }
        : undefined,
      routes,
      stages,
    });
  }
  return apis;
}

/** `POST /a/{id}` → method and segments; `$default` → neither. */
export function parseRouteKey(logicalId: string, routeKey: string): { method: string | undefined; segments: PathSegment[] | undefined } {
  if (routeKey === '$default') return { method: undefined, segments: undefined };
  const match = /^([A-Z]+) (\/\S*)$/.exec(routeKey);
  if (!match) throw unsupported(`${logicalId} has the route key "${routeKey}": expected "$default" or "<METHOD> /<path>".`);
  const parts = match[2] === '/' ? [] : match[2]!.slice(1).split('/');
  const segments = parts.map((part, index): PathSegment => {
    const param = /^\{([^{}+]+)(\+?)\}$/.exec(part);
    if (!param) return { kind: 'literal', value: part };
    if (param[2] === '+') {
      if (index !== parts.length - 1) throw unsupported(`${logicalId} (${routeKey}): a greedy {${param[1]}+} must be the last path segment.`);
      return { kind: 'greedy', name: param[1]! };
    }
    return { kind: 'param', name: param[1]! };
  });
  return { method: match[1], segments };
}

function lambdaIntegration(template: CfnTemplate, ctx: LocalStackContext, id: string, integration: Record<string, unknown>): LambdaIntegration {
  if (integration.IntegrationType !== 'AWS_PROXY') {
    throw unsupported(`${id} is an ${String(integration.IntegrationType)} integration: only Lambda proxy (AWS_PROXY) integrations run locally.`);
  }
  if (integration.IntegrationSubtype !== undefined) throw unsupported(`${id} is an AWS service integration (${String(integration.IntegrationSubtype)}): not run locally.`);
  if (String(integration.PayloadFormatVersion ?? '1.0') !== '2.0') {
    throw unsupported(`${id} uses payload format ${String(integration.PayloadFormatVersion ?? '1.0')}: only 2.0 (HttpLambdaIntegration's default) runs locally.`);
  }
  for (const key of ['RequestParameters', 'ResponseParameters', 'RequestTemplates']) {
    if (integration[key] !== undefined) throw unsupported(`${id} sets ${key}: parameter mapping is not done locally.`);
  }
  const functionLogicalId = functionOf(template, ctx, id);
  const timeout = typeof integration.TimeoutInMillis === 'number' ? integration.TimeoutInMillis : 30_000;
  return { logicalId: id, functionLogicalId, functionName: ctx.resources[functionLogicalId]!.ref, timeoutMs: timeout };
}

/** The Lambda function an integration invokes: its `Fn::GetAtt [Fn, Arn]`, or the function whose ARN the URI holds. */
function functionOf(template: CfnTemplate, ctx: LocalStackContext, id: string): string {
  const raw = template.Resources![id]!.Properties?.IntegrationUri;
  const isFunction = (logicalId: unknown): logicalId is string =>
    typeof logicalId === 'string' && template.Resources?.[logicalId]?.Type === 'AWS::Lambda::Function';
  const getAtt = (raw as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
  if (Array.isArray(getAtt) && isFunction(getAtt[0])) return getAtt[0];
  const uri = String(resolveTemplateValue(raw, { ...ctx, location: `Resources.${id}.Properties.IntegrationUri` }) ?? '');
  const name = /:function:([^:/]+)/.exec(uri)?.[1];
  const match = Object.keys(template.Resources ?? {}).find((logicalId) => isFunction(logicalId) && ctx.resources[logicalId]!.ref === name);
  if (!match) throw unsupported(`${id} integrates "${uri}", which is not a Lambda function of this template.`);
  return match;
}

function identitySources(id: string, value: unknown): JwtAuthorizer['identitySource'] {
  const sources = Array.isArray(value) ? value.map(String) : ['$request.header.Authorization'];
  return sources.map((source) => {
    const match = /^\$request\.(header|querystring)\.(.+)$/.exec(source);
    if (!match) throw unsupported(`${id} takes its token from ${source}: only $request.header.<name> and $request.querystring.<name> are read locally.`);
    return { in: match[1] as 'header' | 'querystring', name: match[1] === 'header' ? match[2]!.toLowerCase() : match[2]! };
  });
}

function throttleOf(settings: unknown): Throttle {
  const record = (settings ?? {}) as { ThrottlingBurstLimit?: unknown; ThrottlingRateLimit?: unknown };
  return {
    burstLimit: typeof record.ThrottlingBurstLimit === 'number' ? record.ThrottlingBurstLimit : undefined,
    rateLimit: typeof record.ThrottlingRateLimit === 'number' ? record.ThrottlingRateLimit : undefined,
  };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
