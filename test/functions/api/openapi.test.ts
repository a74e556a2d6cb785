import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../functions/api/openapi-document.ts';
import { ROUTES } from '../../../functions/api/routes.ts';
import { OPENAPI_FILE, renderOpenApi } from '../../../functions/api/write-openapi.ts';
import { apiHarness } from '../../support/api-harness.ts';

describe('OpenAPI document', () => {
  it('is the one in the repository (run `npm run openapi` after changing a route or schema)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(renderOpenApi());
  });

  it('describes every route with its method, parameters and security', () => {
    const document = openApiDocument();
    expect(document.openapi).toBe('3.1.0');
    for (const route of ROUTES) {
      const operation = (document.paths[route.path] as Record<string, any>)[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(operation.operationId).toBe(route.operationId);
      expect(operation.security).toEqual(route.access.audience === 'public' ? [] : [{ cognito: [] }]);
      const pathNames = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const documented = operation.parameters.filter((p: any) => p.in === 'path').map((p: any) => p.name);
      expect(documented).toEqual(pathNames);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '401', '403', '404', '409', '429']));
    }
  });

  it('documents the proposal body as one of the three proposal types, each with its required fields and strict', () => {
    const schema = (openApiDocument().paths['/proposals'] as any).post.requestBody.content['application/json'].schema;
    const [add, remove, update] = schema.oneOf;
    expect(schema.oneOf).toHaveLength(3);
    expect(add.required).toEqual(expect.arrayContaining(['villageCode', 'household', 'members', 'programs', 'criteria']));
    expect(remove.required).toEqual(expect.arrayContaining(['type', 'villageCode', 'target', 'removal']));
    expect(update.required).toEqual(expect.arrayContaining(['type', 'villageCode', 'target', 'correction', 'household', 'members']));
    for (const variant of schema.oneOf) expect(variant.additionalProperties).toBe(false);
  });

  it('is served without a token at GET /openapi.json', async () => {
    const api = await apiHarness();
    try {
      const response = await api.call('openApi');
      expect(response.status).toBe(200);
      expect(response.body.openapi).toBe('3.1.0');
      expect(Object.keys(response.body.paths)).toContain('/tasks/{taskId}/decision');
    } finally {
      await api.close();
    }
  });
});
