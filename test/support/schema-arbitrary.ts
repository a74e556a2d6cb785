import fc from 'fast-check';
import { z } from 'zod';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
};

/** Anything JSON can carry, including the awkward values: huge numbers, deep nesting, odd keys. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(null, true, '', '0', -1, 1e308, -0, '__proto__', 'constructor', '\u0000', '😀'.repeat(50)),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString'), fc.jsonValue({ maxDepth: 2 })),
);

/**
 * Values shaped by a JSON Schema (from zod), but wrong in every way a client can be wrong: fields missing,
 * extra, of another type, out of range. Half the time each part follows the schema, so the fuzzing reaches
 * past the first check.
 */
export function arbitraryFor(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 6) return junk;
  const shaped = shapedBy(schema, depth);
  return fc.oneof({ arbitrary: shaped, weight: 3 }, { arbitrary: junk, weight: 1 });
}

function shapedBy(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.oneof(fc.constantFrom(...schema.enum), fc.string());
  if (schema.const !== undefined) return fc.constant(schema.const);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => arbitraryFor(s, depth + 1)));
  if (schema.allOf?.length) return arbitraryFor(schema.allOf[0]!, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = Object.entries(schema.properties ?? {});
      const known = fc.record(
        Object.fromEntries(properties.map(([name, property]) => [name, arbitraryFor(property, depth + 1)])),
        { requiredKeys: [] },
      );
      return fc.tuple(known, fc.dictionary(fc.string({ maxLength: 12 }), junk, { maxKeys: 2 })).map(([a, extra]) =>
        Math.random() < 0.8 ? a : { ...extra, ...a },
      );
    }
    case 'array':
      return fc.array(schema.items ? arbitraryFor(schema.items, depth + 1) : junk, { maxLength: (schema.maxItems ?? 5) + 2 });
    case 'string':
      return fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^\d{1,20}$/), fc.constantFrom('81.71.01.1006', '2020-02-30', '81'));
    case 'integer':
    case 'number':
      return fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1e21, Number.MAX_SAFE_INTEGER + 2));
    case 'boolean':
      return fc.boolean();
    default:
      return junk;
  }
}

export function arbitraryForZod(schema: z.ZodType): fc.Arbitrary<unknown> {
  return arbitraryFor(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
}
