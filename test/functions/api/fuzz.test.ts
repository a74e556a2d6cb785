import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../../domain/access.ts';
import { ROUTES, type RouteSpec } from '../../../functions/api/routes.ts';
import { apiHarness, callers, type ApiHarness } from '../../support/api-harness.ts';
import { arbitraryForZod } from '../../support/schema-arbitrary.ts';

/** A caller each route admits, so fuzzed input reaches the parsing and the work behind it. */
function admittedCaller(route: RouteSpec): Caller | undefined {
  if (route.access.audience === 'public') return undefined;
  const role = route.access.audience[0];
  if (role === 'approver') return callers.approver('village', '81.71.01.1006');
  if (role === 'admin') return callers.admin('81');
  return callers.operator('81.71.01.1006');
}

const WITH_INPUT = (ROUTES as readonly RouteSpec[]).filter((route) => route.body || route.query || route.params);

describe('fuzzed requests (fast-check from the zod schemas)', () => {
  let api: ApiHarness;
  let draftId: string;
  beforeAll(async () => {
    api = await apiHarness();
    draftId = (await api.draft(undefined, false)).id;
  }, 120_000);
  afterAll(() => api?.close());

  it.each(WITH_INPUT.map((route) => ({ route, name: `${route.method} ${route.path}` })))(
    '$name never answers 500, and every error has the documented shape',
    async ({ route }) => {
      const params = route.params ? arbitraryForZod(route.params) : fc.constant(undefined);
      const query = route.query ? arbitraryForZod(route.query) : fc.constant(undefined);
      const body = route.body
        ? fc.oneof(
            arbitraryForZod(route.body).map((value) => JSON.stringify(value) ?? ''),
            fc.string({ maxLength: 200 }),
            fc.constantFrom('{', '[]', 'null', '{"a":', '\u0000', '{"__proto__":{"x":1}}', `${'['.repeat(5000)}${']'.repeat(5000)}`),
          )
        : fc.constant(undefined);
      const caller = admittedCaller(route);
      await fc.assert(
        fc.asyncProperty(params, query, body, fc.boolean(), async (p, q, b, useDraft) => {
          const stringMap = (value: unknown) =>
            value && typeof value === 'object' && !Array.isArray(value)
              ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? '']))
              : {};
          const pathParams = stringMap(p);
          // Half the time aim at a real record, so the handler's own checks run on fuzzed bodies too.
          if (useDraft && 'id' in pathParams) pathParams.id = draftId;
          const response = await api.call(route.operationId, {
            ...(caller && { caller }),
            ...(route.params && { params: pathParams }),
            ...(route.query && { query: stringMap(q) }),
            ...(b !== undefined && { rawBody: b }),
          });
          expect(response.status, `${response.status} ${response.text.slice(0, 300)}`).toBeLessThan(500);
          if (response.status >= 400) {
            expect(response.body.error).toEqual(
              expect.objectContaining({ code: expect.stringMatching(/^[A-Z][A-Z0-9_]*$/), message: expect.any(String) }),
            );
            expect(Array.isArray(response.body.error.details)).toBe(true);
          }
        }),
        { numRuns: 40 },
      );
    },
    180_000,
  );

  it('answers a body over the limit with 413, not 500', async () => {
    const response = await api.call('createProposal', {
      caller: callers.operator('81.71.01.1006'),
      rawBody: JSON.stringify({ address: 'x'.repeat(300 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers in English with Accept-Language: en and in Bahasa Indonesia otherwise', async () => {
    const caller = callers.operator('81.71.01.1006');
    const id = await api.call('createProposal', { caller, rawBody: '{' });
    const en = await api.call('createProposal', { caller, rawBody: '{', headers: { 'accept-language': 'en-US,en;q=0.9' } });
    expect(id.body.error.code).toBe('MALFORMED_JSON');
    expect(en.body.error.code).toBe('MALFORMED_JSON');
    expect(id.body.error.message).toMatch(/JSON yang sah/);
    expect(en.body.error.message).toMatch(/not valid JSON/);
  });
});
