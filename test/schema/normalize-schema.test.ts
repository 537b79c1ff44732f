import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkValue } from '../../src/schema/check-value.ts';
import {
  isZodSchema,
  normalizeJsonSchema,
  toJsonSchema,
} from '../../src/schema/normalize-schema.ts';

describe('normalizeJsonSchema', () => {
  it.each([
    ['dict', 'object'],
    ['float', 'number'],
    ['double', 'number'],
    ['int', 'integer'],
    ['long', 'integer'],
    ['tuple', 'array'],
    ['list', 'array'],
    ['str', 'string'],
    ['bool', 'boolean'],
    ['None', 'null'],
    ['string', 'string'],
    ['integer', 'integer'],
  ])('maps type %s to %s', (from, to) => {
    expect(normalizeJsonSchema({ type: from })).toEqual({ type: to });
  });

  it('removes type any/Any entirely', () => {
    expect(normalizeJsonSchema({ type: 'any', description: 'x' })).toEqual({ description: 'x' });
    expect(normalizeJsonSchema({ type: 'Any' })).toEqual({});
  });

  it('maps type lists and drops any from them', () => {
    expect(normalizeJsonSchema({ type: ['int', 'None'] })).toEqual({ type: ['integer', 'null'] });
    expect(normalizeJsonSchema({ type: ['any'] })).toEqual({});
  });

  it('normalises BFCL-style nested schemas (properties, items, anyOf, additionalProperties)', () => {
    const bfcl = {
      type: 'dict',
      properties: {
        coords: { type: 'tuple', items: { type: 'float' }, description: 'lat, lon' },
        meta: { type: 'dict', additionalProperties: { type: 'any' } },
        either: { anyOf: [{ type: 'int' }, { type: 'str' }] },
        one: { oneOf: [{ type: 'bool' }] },
        all: { allOf: [{ type: 'long' }] },
        not: { not: { type: 'None' } },
        pre: { type: 'list', prefixItems: [{ type: 'str' }] },
      },
      required: ['coords'],
    };
    expect(normalizeJsonSchema(bfcl)).toEqual({
      type: 'object',
      properties: {
        coords: { type: 'array', items: { type: 'number' }, description: 'lat, lon' },
        meta: { type: 'object', additionalProperties: {} },
        either: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
        one: { oneOf: [{ type: 'boolean' }] },
        all: { allOf: [{ type: 'integer' }] },
        not: { not: { type: 'null' } },
        pre: { type: 'array', prefixItems: [{ type: 'string' }] },
      },
      required: ['coords'],
    });
  });

  it('a property named "type" is a property, not a type keyword', () => {
    const s = { type: 'dict', properties: { type: { type: 'str', enum: ['dict'] } } };
    expect(normalizeJsonSchema(s)).toEqual({
      type: 'object',
      properties: { type: { type: 'string', enum: ['dict'] } },
    });
  });

  it('does not touch enum, const or default values that look like type names', () => {
    const s = { type: 'str', enum: ['int', 'dict'], default: { type: 'dict' } };
    expect(normalizeJsonSchema(s)).toEqual({
      type: 'string',
      enum: ['int', 'dict'],
      default: { type: 'dict' },
    });
  });

  it('returns a copy and leaves the input unchanged', () => {
    const input = { type: 'dict', properties: { a: { type: 'int' } } };
    const before = structuredClone(input);
    const out = normalizeJsonSchema(input);
    expect(input).toEqual(before);
    expect(out).not.toBe(input);
  });

  it('normalised BFCL schemas check values as people expect', () => {
    const s = toJsonSchema({
      type: 'dict',
      properties: {
        n: { type: 'int' },
        f: { type: 'float' },
        t: { type: 'tuple', items: { type: 'int' } },
        x: { type: 'any' },
      },
      required: ['n'],
    });
    expect(checkValue(s, { n: 1, f: 2, t: [1, 2], x: { whatever: true } })).toEqual([]);
    expect(checkValue(s, { n: 1.5, f: 'x', t: [1, 'a'] }).map((i) => i.path)).toEqual([
      '/n',
      '/f',
      '/t/1',
    ]);
  });

  it('passes non-objects through and stops at depth 64', () => {
    expect(normalizeJsonSchema('x')).toBe('x');
    expect(normalizeJsonSchema(null)).toBe(null);
    let deep: Record<string, unknown> = { type: 'int' };
    for (let i = 0; i < 10_000; i++) deep = { items: deep };
    expect(() => normalizeJsonSchema(deep)).not.toThrow();
  });

  it('never throws on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        normalizeJsonSchema(v);
        toJsonSchema(v);
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent on JSON schemas (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const once = normalizeJsonSchema(v);
        expect(normalizeJsonSchema(once)).toEqual(once);
      }),
      { numRuns: 500 },
    );
  });
});

describe('toJsonSchema and isZodSchema', () => {
  it('detects zod schemas only', () => {
    expect(isZodSchema(z.string())).toBe(true);
    expect(isZodSchema(z.object({}))).toBe(true);
    expect(isZodSchema({ type: 'object' })).toBe(false);
    expect(isZodSchema({ _zod: {} })).toBe(false);
    expect(isZodSchema(null)).toBe(false);
  });

  it('turns zod into JSON Schema without $schema, using the input shape', () => {
    const s = toJsonSchema(
      z.object({
        id: z.string(),
        n: z.number().int().default(1),
        tags: z.array(z.string()).optional(),
      }),
    );
    expect(s.$schema).toBeUndefined();
    expect(s.type).toBe('object');
    expect(s.required).toEqual(['id']);
    expect(Object.keys(s.properties as object)).toEqual(['id', 'n', 'tags']);
    expect(checkValue(s, { id: 'a' })).toEqual([]);
    expect(checkValue(s, { n: 1 }).map((i) => i.code)).toEqual(['missing_required']);
  });

  it('does not fail on unrepresentable zod types', () => {
    expect(() =>
      toJsonSchema(z.object({ when: z.date(), f: z.custom<() => void>() })),
    ).not.toThrow();
  });

  it('normalises plain JSON Schemas', () => {
    expect(toJsonSchema({ type: 'dict' })).toEqual({ type: 'object' });
  });
});
