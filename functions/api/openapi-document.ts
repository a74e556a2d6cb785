import { z } from 'zod';
import { ERROR_STATUSES, ROUTES, type RouteSpec } from './routes.ts';
import { ErrorSchema } from './schemas.ts';

/*
 * The OpenAPI 3.1 document, generated from the same zod schemas the handlers enforce, so the published
 * contract cannot drift from the code. OpenAPI 3.1 uses JSON Schema 2020-12, which zod emits directly.
 */

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  return rest as JsonSchema;
}

/** Path and query schemas become one OpenAPI parameter per property. */
function parametersOf(schema: z.ZodType | undefined, location: 'path' | 'query') {
  if (!schema) return [];
  const json = schemaOf(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

const ERROR_DESCRIPTIONS: Record<(typeof ERROR_STATUSES)[number], string> = {
  400: 'Malformed or invalid request; `details` lists the fields',
  401: 'No valid token',
  403: 'Role, tier or region does not allow this',
  404: 'Not found',
  409: 'Conflicts with the current state (already submitted, already decided, idempotency key reused)',
  413: 'Request body too large',
  422: 'Well-formed but breaks a rule (NIK, KK, region, decision for this task)',
  429: 'Too many requests; see Retry-After',
};

function operationOf(route: RouteSpec) {
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema
        ? { content: { 'application/json': { schema: schemaOf(response.schema, 'output') } } }
        : { content: { [response.contentType ?? 'application/json']: {} } }),
    };
  }
  for (const status of ERROR_STATUSES) {
    responses[status] = {
      description: ERROR_DESCRIPTIONS[status],
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  const headerParameters = [
    {
      name: 'Accept-Language',
      in: 'header',
      required: false,
      description: '`en` for English messages; Bahasa Indonesia otherwise',
      schema: { type: 'string' },
    },
    ...(route.idempotent
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description: 'The same key and body return the same result; the same key with another body gets 409',
            schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{8,128}$' },
          },
        ]
      : []),
  ];
  return {
    operationId: route.operationId,
    summary: route.summary.en,
    description: route.summary.id,
    ...(route.access.audience === 'public'
      ? { security: [] }
      : { security: [{ cognito: [] }], 'x-verval-roles': route.access.audience, 'x-verval-scope': route.access.scope }),
    parameters: [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query'), ...headerParameters],
    ...(route.body && {
      requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } },
    }),
    responses,
  };
}

export function openApiDocument(options: { serverUrl?: string } = {}) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES as readonly RouteSpec[]) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Verval API',
      version: '1.0.0',
      description:
        'Verifikasi dan validasi usulan penerima bantuan sosial, satu stack per provinsi. / Verification and validation of proposed social-assistance recipients, one stack per province.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    ...(options.serverUrl && { servers: [{ url: options.serverUrl }] }),
    paths,
    components: {
      securitySchemes: {
        cognito: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An ID token from the province user pool, carrying role, tier and region claims',
        },
      },
      schemas: { Error: schemaOf(ErrorSchema, 'output') },
    },
  };
}
