import { Validator } from '@cfworker/json-schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkValue } from '../../src/schema/check-value.ts';
import { compileAccept } from '../../src/schema/fast-accept.ts';
import type { JsonSchema } from '../../src/tool/tool.ts';

/** The full verdict the fast check must never contradict when it says yes. */
function fullyValid(schema: JsonSchema, value: unknown, strict: boolean): boolean {
  let valid: boolean;
  try {
    valid = new Validator(structuredClone(schema) as never, '2020-12', false).validate(value).valid;
  } catch {
    return false;
  }
  if (!valid || !strict) return valid;
  return !checkValue(schema, value, { strictObjects: true }).some(
    (i) => i.code === 'unknown_field',
  );
}

const scalar = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.integer({ min: -5, max: 5 }),
  fc.double({ min: -5, max: 5, noNaN: true }),
  fc.boolean(),
  fc.constant(null),
);
const typeName = fc.constantFrom(
  'string',
  'number',
  'integer',
  'boolean',
  'null',
  'object',
  'array',
);
const names = fc.constantFrom('a', 'b', 'c');

const leafSchema = fc.record(
  { type: typeName, minimum: fc.integer({ min: -3, max: 3 }), maxLength: fc.nat(3) },
  { requiredKeys: [] },
);
const schemaArb: fc.Arbitrary<JsonSchema> = fc.letrec((tie) => ({
  schema: fc.oneof({ maxDepth: 2, depthIdentifier: 'schema' }, leafSchema, tie('node')),
  node: fc.record(
    {
      type: fc.oneof(typeName, fc.array(typeName, { minLength: 1, maxLength: 3 })),
      enum: fc.array(scalar, { minLength: 1, maxLength: 3 }),
      const: scalar,
      minimum: fc.integer({ min: -3, max: 3 }),
      maximum: fc.integer({ min: -3, max: 3 }),
      minLength: fc.nat(3),
      maxLength: fc.nat(3),
      minItems: fc.nat(2),
      maxItems: fc.nat(2),
      items: tie('schema'),
      properties: fc.dictionary(names, tie('schema'), { maxKeys: 3 }),
      required: fc.uniqueArray(names, { maxLength: 2 }),
      additionalProperties: fc.oneof(fc.boolean(), tie('schema')),
      description: fc.string({ maxLength: 3 }),
    },
    { requiredKeys: [] },
  ),
})).schema as fc.Arbitrary<JsonSchema>;

const valueArb = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('value'), { maxKeys: 3 }),
  ),
})).value;

describe('compileAccept', () => {
  it('says yes only to values the full validator (and the strict pass) find valid', () => {
    let accepted = 0;
    fc.assert(
      fc.property(schemaArb, valueArb, fc.boolean(), (schema, value, strict) => {
        const accept = compileAccept(schema, strict);
        if (!accept?.(value)) return;
        accepted++;
        expect(fullyValid(schema, value, strict)).toBe(true);
      }),
      { numRuns: 1500 },
    );
    // The property must not hold only because the check declined everything.
    expect(accepted).toBeGreaterThan(100);
  });

  it('accepts the valid values of the schemas tools commonly declare', () => {
    const schema = {
      type: 'object',
      properties: {
        id: { type: 'string', minLength: 1 },
        n: { type: 'integer', minimum: 0 },
        tags: { type: 'array', items: { enum: ['a', 'b'] } },
      },
      required: ['id'],
    };
    const strict = compileAccept(schema, true)!;
    expect(strict({ id: 'u1', n: 2, tags: ['a'] })).toBe(true);
    // Each of these goes to the full validator, which words the failure.
    expect(strict({ id: 'u1', extra: 1 })).toBe(false);
    expect(strict({ n: 2 })).toBe(false);
    expect(strict({ id: 'u1', n: 1.5 })).toBe(false);
    expect(strict({ id: 'u1', tags: ['c'] })).toBe(false);
    expect(strict({ id: 'u1', n: undefined })).toBe(false);
    expect(compileAccept(schema, false)!({ id: 'u1', extra: 1 })).toBe(true);
  });

  it('leaves schemas with keywords it does not know to the full validator', () => {
    expect(compileAccept({ type: 'string', format: 'email' }, false)).toBeUndefined();
    expect(compileAccept({ anyOf: [{ type: 'string' }] }, false)).toBeUndefined();
    expect(compileAccept({ properties: { a: { $ref: '#/$defs/A' } } }, false)).toBeUndefined();
    expect(compileAccept({ enum: [{ a: 1 }] }, false)).toBeUndefined();
  });
});
