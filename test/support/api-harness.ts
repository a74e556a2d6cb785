import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Caller } from '../../domain/access.ts';
import type { OperationId } from '../../domain/access.ts';
import type { ProvinceConfigOverrides, Tier } from '../../domain/province-config.ts';
import { DynamoDbExportsStore } from '../../functions/adapters/dynamodb-exports-store.ts';
import { DynamoDbRegistryObjectionsStore } from '../../functions/adapters/dynamodb-registry-objections-store.ts';
import { S3UploadSigner } from '../../functions/adapters/s3-upload-signer.ts';
import { handleApiEvent, type ApiDeps, type ApiImplementation } from '../../functions/api/http.ts';
import { ROUTES, type Route } from '../../functions/api/routes.ts';
import { workflowHarness } from './workflow-harness.ts';

/** The callers the tests act as; claims are what the JWT authorizer passes on (all strings, as API Gateway does). */
export const callers = {
  operator: (village = '81.71.01.1006'): Caller => ({ sub: `operator-${village}`, role: 'village_operator', region: village }),
  approver: (tier: Tier, region: string): Caller => ({ sub: `approver-${tier}-${region}`, role: 'approver', tier, region }),
  admin: (region = '81'): Caller => ({ sub: `admin-${region}`, role: 'admin', region }),
};

export type ApiCall = {
  caller?: Caller | Record<string, string>;
  params?: Record<string, string>;
  query?: Record<string, string>;
  /** JSON-encoded unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, string>;
  sourceIp?: string;
};

export type ApiResponse = { status: number; headers: Record<string, string>; body: any; text: string };

/** Handler modules by route, loaded on first use. */
const implementations = new Map<string, Promise<ApiImplementation<Route>>>();
function implementationOf(route: Route): Promise<ApiImplementation<Route>> {
  let loaded = implementations.get(route.handler);
  if (!loaded) {
    loaded = import(/* @vite-ignore */ `../../functions/api/${route.handler}`).then(
      (module: { handler: { implementation: ApiImplementation<Route> } }) => module.handler.implementation,
    );
    implementations.set(route.handler, loaded);
  }
  return loaded;
}

/** An API Gateway HTTP API (payload 2.0) event, as the JWT authorizer hands it to the function. */
export function apiEvent(route: Route, call: ApiCall): APIGatewayProxyEventV2 {
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(call.params?.[name] ?? ''));
  const body = call.rawBody ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
  const claims = call.caller && Object.fromEntries(Object.entries(call.caller).map(([k, v]) => [k, String(v)]));
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(call.query ?? {}).toString(),
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...call.headers,
    },
    ...(call.query && { queryStringParameters: call.query }),
    ...(call.params && { pathParameters: call.params }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'api.local',
      domainPrefix: 'api',
      http: { method: route.method, path, protocol: 'HTTP/1.1', sourceIp: call.sourceIp ?? '10.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      ...(claims && { authorizer: { jwt: { claims, scopes: null } } }),
    } as APIGatewayProxyEventV2['requestContext'],
    ...(body !== undefined && { body }),
    isBase64Encoded: call.isBase64Encoded ?? false,
  };
}

export function parseResponse(result: APIGatewayProxyStructuredResultV2): ApiResponse {
  const text = result.body ?? '';
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
  let body: unknown = text;
  if ((headers['content-type'] ?? '').startsWith('application/json')) body = JSON.parse(text);
  return { status: result.statusCode ?? 200, headers, body, text };
}

/**
 * The API's handlers on real services: DynamoDB Local, the local S3 store (which enforces signatures and
 * POST policies) and the synthesized workflow on the local Step Functions host. Requests go through the
 * same entry point API Gateway calls (handleApiEvent), with the claims a JWT authorizer would pass.
 */
export async function apiHarness(options: { timeScale?: number; configOverrides?: ProvinceConfigOverrides } = {}) {
  const harness = await workflowHarness({ timeScale: options.timeScale ?? 1 / 86_400, ...options });
  const deps: ApiDeps = {
    provinceCode: harness.deps.provinceCode,
    config: harness.deps.config,
    store: harness.deps.store,
    freezes: harness.deps.freezes,
    registryObjections: new DynamoDbRegistryObjectionsStore(harness.clients.documents, harness.tableName),
    workflow: harness.workflow,
    uploads: new S3UploadSigner(harness.clients.s3, harness.bucket, harness.deps.now),
    evidence: harness.deps.evidence,
    exports: new DynamoDbExportsStore(harness.clients.documents, harness.tableName),
    // Tests write exports to the harness's bucket; the deployed route signs for the exports bucket.
    exportLinks: new S3UploadSigner(harness.clients.s3, harness.bucket, harness.deps.now),
    regions: harness.deps.regions,
    now: harness.deps.now,
    timeScale: harness.deps.timeScale,
    publicRateLimit: 1000,
  };

  async function call(operationId: OperationId, request: ApiCall = {}): Promise<ApiResponse> {
    const route = ROUTES.find((entry) => entry.operationId === operationId)!;
    const result = await handleApiEvent(route, await implementationOf(route), apiEvent(route, request), deps);
    return parseResponse(result);
  }

  return { ...harness, apiDeps: deps, call };
}
export type ApiHarness = Awaited<ReturnType<typeof apiHarness>>;

/** Sends a file through a presigned POST slot as a browser form would; `fields` overrides tamper with it. */
export async function postToSlot(
  slot: { url: string; fields: Record<string, string> },
  file: Uint8Array,
  overrides: { fields?: Record<string, string>; contentType?: string } = {},
): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...slot.fields, ...overrides.fields })) form.append(name, value);
  const type = overrides.contentType ?? overrides.fields?.['Content-Type'] ?? slot.fields['Content-Type'];
  form.append('file', new Blob([file], type ? { type } : {}), 'upload');
  return fetch(slot.url, { method: 'POST', body: form });
}
