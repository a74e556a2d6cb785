import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { CallerSchema, hasRole, mayAccess, type AccessTarget, type Caller } from '../../domain/access.ts';
import { zodIssues, type Lang } from '../../domain/messages.ts';
import { parseProvinceConfig, type ProvinceConfig } from '../../domain/province-config.ts';
import type { RegionDirectory } from '../../domain/regions.ts';
import { DynamoDbRecordsStore } from '../adapters/dynamodb-records-store.ts';
import { DynamoDbFreezeStore } from '../adapters/dynamodb-freeze-store.ts';
import type { FreezeStore } from '../adapters/freeze-store.ts';
import { DynamoDbRegistryObjectionsStore } from '../adapters/dynamodb-registry-objections-store.ts';
import type { RegistryObjectionsStore } from '../adapters/registry-objections-store.ts';
import type { EvidenceStore } from '../adapters/evidence-store.ts';
import { DynamoDbExportsStore } from '../adapters/dynamodb-exports-store.ts';
import type { ExportsStore } from '../adapters/exports-store.ts';
import { ConflictError, type RecordsStore } from '../adapters/records-store.ts';
import type { UploadSigner } from '../adapters/upload-signer.ts';
import type { WorkflowEngine } from '../application/workflow-engine.ts';
import { log } from '../shared/log.ts';
import { regionDirectory } from '../shared/regions.ts';
import { documentClient } from '../shared/runtime.ts';
import { ApiError, errorBody, isApiErrorCode } from './errors.ts';
import type { Route, RouteNeeds } from './routes.ts';

/** What an API handler needs from the world. Handlers build it from their environment; tests pass their own. */
export type ApiDeps = {
  provinceCode: string;
  config: ProvinceConfig;
  store: RecordsStore;
  freezes: FreezeStore;
  registryObjections: RegistryObjectionsStore;
  workflow: WorkflowEngine;
  uploads: UploadSigner;
  evidence: EvidenceStore;
  /** The monthly cut-off exports, and download links to their files (the exports bucket). */
  exports: ExportsStore;
  exportLinks: Pick<UploadSigner, 'presignDownload'>;
  regions: () => RegionDirectory;
  now: () => Date;
  timeScale: number;
  /** Public routes: requests per client per minute. */
  publicRateLimit: number;
};

type Infer<R, K extends string> = R extends Record<K, infer S extends z.ZodType> ? z.infer<S> : undefined;

export type ApiRequest<R extends Route = Route> = {
  route: R;
  /** Present on every route that is not public (the role is already checked). */
  caller: R['access'] extends { audience: 'public' } ? Caller | undefined : Caller;
  params: Infer<R, 'params'>;
  query: Infer<R, 'query'>;
  body: Infer<R, 'body'>;
  headers: Readonly<Record<string, string>>;
  lang: Lang;
  sourceIp: string;
};

export type ApiResult =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; text: string; contentType: string; headers?: Record<string, string> };

export type ApiImplementation<R extends Route> = (request: ApiRequest<R>, deps: ApiDeps) => Promise<ApiResult>;

/** Largest JSON body accepted: a household of 20 members is a few kilobytes. */
export const MAX_BODY_BYTES = 256 * 1024;
const RATE_WINDOW_SECONDS = 60;

/** Refuses (403) unless the caller may touch this record under the route's rule. */
export function authorize(request: ApiRequest, target: AccessTarget): void {
  const { caller, route } = request;
  if (route.access.audience === 'public') return;
  if (!caller || !mayAccess(caller, route.access, target)) {
    const wrongTier = caller && route.access.scope === 'tier' && target.tier !== caller.tier;
    throw new ApiError(wrongTier ? 'FORBIDDEN_TIER' : 'FORBIDDEN_REGION');
  }
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): ApiResult => ({
  status,
  json: body,
  ...(headers && { headers }),
});

/**
 * Runs one API request: who is calling, may they, is the input well-formed, then the route's work.
 * Every failure leaves as `{ error: { code, message, details } }` with its status; nothing the client
 * sends can make it a 500.
 */
export async function handleApiEvent<R extends Route>(
  route: R,
  implementation: ApiImplementation<R>,
  event: APIGatewayProxyEventV2,
  deps: ApiDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  const headers = lowerCaseHeaders(event.headers);
  const lang: Lang = /^en\b/i.test(headers['accept-language'] ?? '') ? 'en' : 'id';
  try {
    const request = await parseRequest(route, event, headers, lang, deps);
    return toResponse(await implementation(request, deps));
  } catch (error) {
    const apiError = asApiError(error);
    if (apiError.code === 'INTERNAL') {
      // Names and codes only: an error message may quote a record.
      log('error', 'request failed', {
        operation: route.operationId,
        error: (error as Error)?.name,
        requestId: event.requestContext?.requestId,
      });
    }
    return toResponse(json(apiError.status, errorBody(apiError, lang), retryAfter(apiError)));
  }
}

async function parseRequest<R extends Route>(
  route: R,
  event: APIGatewayProxyEventV2,
  headers: Record<string, string>,
  lang: Lang,
  deps: ApiDeps,
): Promise<ApiRequest<R>> {
  const caller = callerOf(event);
  if (route.access.audience !== 'public') {
    if (caller === undefined) throw new ApiError('UNAUTHENTICATED');
    if (caller === 'invalid') throw new ApiError('CLAIMS_INVALID');
    if (!hasRole(caller, route.access)) throw new ApiError('FORBIDDEN_ROLE');
  }
  const sourceIp = event.requestContext?.http?.sourceIp ?? 'unknown';
  if ((route.needs as RouteNeeds).rateLimited) await limitRate(route, sourceIp, deps);

  const params = 'params' in route ? parseOr(route.params, event.pathParameters ?? {}, 'NOT_FOUND') : undefined;
  const query = 'query' in route ? parseOr(route.query, event.queryStringParameters ?? {}, 'VALIDATION_FAILED') : undefined;
  const body = 'body' in route ? parseOr(route.body, readJsonBody(event, headers), 'VALIDATION_FAILED') : undefined;
  return {
    route,
    caller: caller === 'invalid' ? undefined : caller,
    params,
    query,
    body,
    headers,
    lang,
    sourceIp,
  } as ApiRequest<R>;
}

function callerOf(event: APIGatewayProxyEventV2): Caller | 'invalid' | undefined {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } } | undefined)
    ?.authorizer?.jwt?.claims;
  if (!claims) return undefined;
  const parsed = CallerSchema.safeParse({
    sub: claims.sub,
    role: claims.role,
    tier: claims.tier === undefined || claims.tier === '' ? undefined : claims.tier,
    region: claims.region,
    name: claims.name,
  });
  return parsed.success ? parsed.data : 'invalid';
}

async function limitRate(route: Route, sourceIp: string, deps: ApiDeps) {
  const { allowed, retryAfterSeconds } = await deps.store.consumeRateLimit(
    `${route.operationId}#${sourceIp}`,
    RATE_WINDOW_SECONDS,
    deps.publicRateLimit,
  );
  if (!allowed) throw new ApiError('RATE_LIMITED', [], { retryAfterSeconds });
}

function parseOr<S extends z.ZodType>(schema: S, value: unknown, code: 'NOT_FOUND' | 'VALIDATION_FAILED'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ApiError(code, code === 'NOT_FOUND' ? [] : zodIssues(result.error, value));
}

function readJsonBody(event: APIGatewayProxyEventV2, headers: Record<string, string>): unknown {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw new ApiError('PAYLOAD_TOO_LARGE');
  if (bytes.length === 0) return {};
  const contentType = headers['content-type'];
  if (contentType !== undefined && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new ApiError('UNSUPPORTED_CONTENT_TYPE');
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ApiError('MALFORMED_JSON');
  }
}

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ConflictError) {
    return new ApiError(isApiErrorCode(error.code) ? error.code : 'VERSION_CONFLICT');
  }
  const name = (error as Error | undefined)?.name;
  if (name === 'InvalidCursorError') return new ApiError('INVALID_CURSOR');
  return new ApiError('INTERNAL');
}

function retryAfter(error: ApiError): Record<string, string> | undefined {
  const seconds = error.extra.retryAfterSeconds;
  return typeof seconds === 'number' ? { 'retry-after': String(Math.max(1, Math.ceil(seconds))) } : undefined;
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

function toResponse(result: ApiResult): APIGatewayProxyStructuredResultV2 {
  if ('text' in result) {
    return {
      statusCode: result.status,
      headers: { ...SECURITY_HEADERS, 'content-type': result.contentType, ...result.headers },
      body: result.text,
    };
  }
  return {
    statusCode: result.status,
    headers: { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', ...result.headers },
    body: JSON.stringify(result.json),
  };
}

function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers'] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

const Environment = z.object({
  TABLE_NAME: z.string().min(1),
  PROVINCE_CODE: z.string().regex(/^\d{2}$/),
  PROVINCE_CONFIG: z.string().min(2),
  VERVAL_TIME_SCALE: z.coerce.number().positive().optional(),
  PUBLIC_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().optional(),
});

/** Adapters only some routes use; each handler passes the ones it needs, so its bundle carries only those clients. */
export type ApiAdapters = {
  workflow?: (env: NodeJS.ProcessEnv) => WorkflowEngine;
  uploads?: (env: NodeJS.ProcessEnv) => UploadSigner;
  evidence?: (env: NodeJS.ProcessEnv) => EvidenceStore;
  exportLinks?: (env: NodeJS.ProcessEnv) => Pick<UploadSigner, 'presignDownload'>;
};

export function apiDepsFromEnvironment(env: NodeJS.ProcessEnv, adapters: ApiAdapters): ApiDeps {
  const settings = Environment.parse(env);
  const unavailable = (name: string) =>
    new Proxy({} as never, {
      get: () => () => {
        throw new Error(`${name} is not configured for this function`);
      },
    });
  let regions: RegionDirectory | undefined;
  const documents = documentClient(new DynamoDBClient({}));
  return {
    provinceCode: settings.PROVINCE_CODE,
    config: parseProvinceConfig(JSON.parse(settings.PROVINCE_CONFIG)),
    store: new DynamoDbRecordsStore(documents, settings.TABLE_NAME),
    freezes: new DynamoDbFreezeStore(documents, settings.TABLE_NAME),
    registryObjections: new DynamoDbRegistryObjectionsStore(documents, settings.TABLE_NAME),
    workflow: adapters.workflow?.(env) ?? unavailable('workflow'),
    uploads: adapters.uploads?.(env) ?? unavailable('upload signer'),
    evidence: adapters.evidence?.(env) ?? unavailable('evidence store'),
    exports: new DynamoDbExportsStore(documents, settings.TABLE_NAME),
    exportLinks: adapters.exportLinks?.(env) ?? unavailable('export links'),
    regions: () => (regions ??= regionDirectory(settings.PROVINCE_CODE)),
    now: () => new Date(),
    timeScale: settings.VERVAL_TIME_SCALE ?? 1,
    publicRateLimit: settings.PUBLIC_RATE_LIMIT_PER_MINUTE ?? 60,
  };
}

/** A Lambda handler for a route, with its dependencies built once per container. */
export function apiHandler<R extends Route>(route: R, implementation: ApiImplementation<R>, adapters: ApiAdapters = {}) {
  let deps: ApiDeps | undefined;
  const handler = (event: APIGatewayProxyEventV2) =>
    handleApiEvent(route, implementation, event, (deps ??= apiDepsFromEnvironment(process.env, adapters)));
  // Tests and the local runtime run the same route with dependencies of their own.
  return Object.assign(handler, { route, implementation });
}
