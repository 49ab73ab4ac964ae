import fc from 'fast-check';

// fast-check arbitraries from the JSON Schemas of the OpenAPI document (which api/openapi.ts generates
// from the same zod schemas the routes validate with), and hostile mutations of them.

type Schema = Record<string, any>;

/** Values that fit `schema` (as far as these schemas use JSON Schema), resolving $refs in `doc`. */
export function fromSchema(schema: Schema, doc: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref) return fromSchema(doc.components.schemas[String(schema.$ref).split('/').pop()!], doc, depth);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s: Schema) => fromSchema(s, doc, depth)));
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'string': {
      if (schema.format === 'email') return fc.emailAddress();
      if (schema.format === 'date') return fc.date({ min: new Date('2020-01-01'), max: new Date('2026-11-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      if (schema.format === 'date-time') return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= (schema.maxLength ?? 1000));
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 200, 200) });
    }
    case 'integer': return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000 });
    case 'number': return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000, noNaN: true });
    case 'boolean': return fc.boolean();
    case 'array': return depth > 4 ? fc.constant([]) : fc.array(fromSchema(schema.items ?? {}, doc, depth + 1), { maxLength: Math.min(schema.maxItems ?? 4, 4) });
    case 'object': {
      if (depth > 4) return fc.constant({});
      const props = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, fromSchema(s as Schema, doc, depth + 1)]));
      return fc.record(props, { requiredKeys: schema.required ?? [] });
    }
    default: return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Values no schema here allows, and text that is trouble: wrong types, nulls, unicode edge cases, prototype keys. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e308, -0, 2 ** 53, '', ' ', '__proto__', 'constructor', 'NaN', '-1', '0x10', '1e999'),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '\udfff', '\u202e\u0000', '\ufeff', '😀'.repeat(500), 'ǅ\u0301\u0308', '<script>alert(1)</script>', "'; DROP TABLE complaints; --", '%00', '../../etc/passwd'),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.string({ unit: 'binary', minLength: 3000, maxLength: 12_000 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'x'), fc.jsonValue({ maxDepth: 1 })),
);

/** A body for a route with this schema: mostly the schema's own shape with one field made hostile, sometimes wholly hostile. */
export function hostileBody(schema: Schema | undefined, doc: Schema): fc.Arbitrary<unknown> {
  const valid = schema ? fromSchema(schema, doc) : fc.constant({});
  const withHostileField = fc.tuple(valid, fc.string({ maxLength: 20 }), hostileValue, fc.boolean()).map(([v, k, h, own]) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return h;
    const keys = Object.keys(v);
    const key = own && keys.length ? keys[k.length % keys.length] : k;
    return { ...v, [key]: h }; // a computed "__proto__" key is an own property, sent as such
  });
  const deep = fc.integer({ min: 30, max: 3000 }).map((n) => JSON.parse('['.repeat(n) + ']'.repeat(n)));
  return fc.oneof({ weight: 2, arbitrary: valid }, { weight: 5, arbitrary: withHostileField }, { weight: 2, arbitrary: hostileValue }, { weight: 1, arbitrary: deep });
}

/** A path parameter: mostly wrong, sometimes one of `ids` (rows that exist) or another small number. */
export const hostileParam = (ids: number[]): fc.Arbitrary<string> => fc.oneof(
  fc.constantFrom('0', '-1', '1.5', '99999999999999999999', '2147483648', 'abc', '%00', '%E0%A4%A', '..', '__proto__', ' ', '1e3', '0x1f'),
  fc.integer({ min: 1, max: 50 }).map(String),
  ...(ids.length ? [fc.constantFrom(...ids).map(String)] : []),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map(encodeURIComponent),
);
