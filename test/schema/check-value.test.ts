// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plan strings hold ${ } expressions on purpose
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkValue,
  pointerEscape,
  type SchemaIssue,
  typeOfJson,
} from '../../src/schema/check-value.ts';

const codes = (issues: SchemaIssue[]) => issues.map((i) => `${i.path} ${i.code}`);

describe('checkValue keywords', () => {
  it('type, including integer vs number and type lists', () => {
    expect(checkValue({ type: 'string' }, 'a')).toEqual([]);
    expect(codes(checkValue({ type: 'string' }, 1))).toEqual([' wrong_type']);
    expect(checkValue({ type: 'number' }, 1)).toEqual([]);
    expect(checkValue({ type: 'number' }, 1.5)).toEqual([]);
    expect(checkValue({ type: 'integer' }, 2)).toEqual([]);
    expect(codes(checkValue({ type: 'integer' }, 2.5))).toEqual([' wrong_type']);
    expect(checkValue({ type: ['string', 'null'] }, null)).toEqual([]);
    expect(codes(checkValue({ type: ['string', 'null'] }, 3))).toEqual([' wrong_type']);
    expect(checkValue({ type: 'array' }, [])).toEqual([]);
    expect(codes(checkValue({ type: 'object' }, []))).toEqual([' wrong_type']);
    expect(codes(checkValue({ type: 'null' }, {}))).toEqual([' wrong_type']);
    expect(checkValue({ type: 'boolean' }, false)).toEqual([]);
    const [issue] = checkValue({ type: 'integer' }, 'x');
    expect(issue!.message).toBe('expected integer, got string "x"');
  });

  it('required reports each missing key at its own path', () => {
    const schema = { type: 'object', properties: { a: {}, b: {} }, required: ['a', 'b'] };
    expect(codes(checkValue(schema, {}))).toEqual(['/a missing_required', '/b missing_required']);
    expect(codes(checkValue(schema, { a: 1, b: undefined }))).toEqual(['/b missing_required']);
    expect(checkValue(schema, { a: 1, b: null })).toEqual([]);
    expect(checkValue(schema, { a: 1, b: 2 })).toEqual([]);
    expect(checkValue(schema, { a: 1 })[0]!.message).toBe('required argument "b" is missing');
  });

  it('required is not satisfied by inherited properties', () => {
    const schema = { type: 'object', required: ['toString'] };
    expect(codes(checkValue(schema, {}))).toEqual(['/toString missing_required']);
  });

  it('properties are checked recursively with JSON pointer paths', () => {
    const schema = {
      type: 'object',
      properties: { user: { type: 'object', properties: { id: { type: 'integer' } } } },
    };
    expect(codes(checkValue(schema, { user: { id: 'x' } }))).toEqual(['/user/id wrong_type']);
  });

  it('additionalProperties false, schema, and open', () => {
    const closed = { type: 'object', properties: { a: {} }, additionalProperties: false };
    const issues = checkValue(closed, { a: 1, b: 2 });
    expect(codes(issues)).toEqual(['/b unknown_field']);
    expect(issues[0]!.message).toBe('unknown argument "b"; allowed: a');
    const none = { type: 'object', additionalProperties: false };
    expect(checkValue(none, { z: 1 })[0]!.message).toContain('allowed: (none)');
    const typed = { type: 'object', additionalProperties: { type: 'number' } };
    expect(codes(checkValue(typed, { x: 1, y: 'no' }))).toEqual(['/y wrong_type']);
    expect(checkValue({ type: 'object', properties: { a: {} } }, { a: 1, b: 2 })).toEqual([]);
  });

  it('strictObjects closes objects that list properties but leaves maps open', () => {
    const listed = { type: 'object', properties: { a: {} } };
    expect(codes(checkValue(listed, { a: 1, b: 2 }, { strictObjects: true }))).toEqual([
      '/b unknown_field',
    ]);
    const map = { type: 'object' };
    expect(checkValue(map, { anything: 1 }, { strictObjects: true })).toEqual([]);
    const explicitOpen = { type: 'object', properties: { a: {} }, additionalProperties: true };
    expect(checkValue(explicitOpen, { b: 1 }, { strictObjects: true })).toEqual([]);
  });

  it('items and prefixItems', () => {
    expect(
      codes(checkValue({ type: 'array', items: { type: 'string' } }, ['a', 2, 'c', 4])),
    ).toEqual(['/1 wrong_type', '/3 wrong_type']);
    const tuple = { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] };
    expect(checkValue(tuple, ['a', 1])).toEqual([]);
    expect(codes(checkValue(tuple, [1, 'a']))).toEqual(['/0 wrong_type', '/1 wrong_type']);
    const rest = { ...tuple, items: { type: 'boolean' } };
    expect(codes(checkValue(rest, ['a', 1, true, 'x']))).toEqual(['/3 wrong_type']);
  });

  it('enum and const compare by JSON value', () => {
    expect(checkValue({ enum: ['a', 'b'] }, 'a')).toEqual([]);
    const [e] = checkValue({ enum: ['a', 'b'] }, 'c');
    expect(e).toEqual({
      path: '',
      code: 'not_allowed',
      message: 'must be one of "a", "b"; got "c"',
    });
    expect(checkValue({ enum: [{ k: [1] }] }, { k: [1] })).toEqual([]);
    expect(checkValue({ const: 3 }, 3)).toEqual([]);
    expect(codes(checkValue({ const: 3 }, 4))).toEqual([' not_allowed']);
    expect(codes(checkValue({ const: null }, 0))).toEqual([' not_allowed']);
  });

  it('numeric bounds', () => {
    const s = { type: 'number', minimum: 1, maximum: 10 };
    expect(checkValue(s, 1)).toEqual([]);
    expect(checkValue(s, 10)).toEqual([]);
    expect(checkValue(s, 0)[0]).toEqual({
      path: '',
      code: 'out_of_range',
      message: 'must be >= 1, got 0',
    });
    expect(checkValue(s, 11)[0]!.message).toBe('must be <= 10, got 11');
    const ex = { type: 'number', exclusiveMinimum: 1, exclusiveMaximum: 10 };
    expect(codes(checkValue(ex, 1))).toEqual([' out_of_range']);
    expect(codes(checkValue(ex, 10))).toEqual([' out_of_range']);
    expect(checkValue(ex, 5)).toEqual([]);
  });

  it('string length and pattern (unicode aware, bad patterns ignored)', () => {
    const s = { type: 'string', minLength: 2, maxLength: 3, pattern: '^[a-z]+$' };
    expect(checkValue(s, 'ab')).toEqual([]);
    expect(codes(checkValue(s, 'a'))).toEqual([' out_of_range']);
    expect(codes(checkValue(s, 'abcd'))).toEqual([' out_of_range']);
    expect(codes(checkValue(s, 'A1'))).toEqual([' not_allowed']);
    expect(checkValue({ type: 'string', pattern: '[' }, 'x')).toEqual([]);
    expect(checkValue({ type: 'string', pattern: '^\\p{L}+$' }, 'héllo')).toEqual([]);
  });

  it('array length bounds', () => {
    const s = { type: 'array', minItems: 1, maxItems: 2 };
    expect(codes(checkValue(s, []))).toEqual([' out_of_range']);
    expect(codes(checkValue(s, [1, 2, 3]))).toEqual([' out_of_range']);
    expect(checkValue(s, [1])).toEqual([]);
  });

  it('anyOf and oneOf accept a value matching any alternative', () => {
    const s = { anyOf: [{ type: 'string' }, { type: 'integer', minimum: 0 }] };
    expect(checkValue(s, 'x')).toEqual([]);
    expect(checkValue(s, 3)).toEqual([]);
    const bad = checkValue(s, -1);
    expect(bad).toEqual([
      {
        path: '',
        code: 'wrong_type',
        message: '-1 matches none of the allowed forms (string or integer)',
      },
    ]);
    const one = {
      oneOf: [{ type: 'null' }, { type: 'object', properties: { a: { type: 'string' } } }],
    };
    expect(checkValue(one, null)).toEqual([]);
    expect(checkValue(one, { a: 'x' })).toEqual([]);
    expect(codes(checkValue({ type: 'object', properties: { v: one } }, { v: { a: 1 } }))).toEqual([
      '/v wrong_type',
    ]);
    expect(checkValue({ anyOf: [{ const: 1 }] }, 2)[0]!.message).toBe(
      '2 matches none of the allowed forms',
    );
  });

  it('anyOf alternatives honour strictObjects', () => {
    const s = { anyOf: [{ type: 'object', properties: { a: {} } }] };
    expect(checkValue(s, { b: 1 })).toEqual([]);
    expect(codes(checkValue(s, { b: 1 }, { strictObjects: true }))).toEqual([' wrong_type']);
  });

  it('allOf applies every part', () => {
    const s = { allOf: [{ type: 'number' }, { minimum: 5 }] };
    expect(codes(checkValue(s, 3))).toEqual([' out_of_range']);
    expect(codes(checkValue(s, 'x'))).toEqual([' wrong_type']);
  });

  it('skip leaves matching values unchecked (e.g. ${ } expressions)', () => {
    const schema = {
      type: 'object',
      properties: { n: { type: 'integer' }, list: { type: 'array', items: { type: 'string' } } },
      required: ['n'],
    };
    const skip = (v: unknown) => typeof v === 'string' && v.startsWith('${');
    expect(checkValue(schema, { n: '${x}', list: ['a', '${y}'] }, { skip })).toEqual([]);
    expect(codes(checkValue(schema, { n: 'x', list: [1] }, { skip }))).toEqual([
      '/n wrong_type',
      '/list/0 wrong_type',
    ]);
    expect(checkValue(schema, '${whole}', { skip })).toEqual([]);
  });

  it('escapes ~ and / in paths', () => {
    const s = {
      type: 'object',
      properties: { 'a/b': { type: 'string' }, 'c~d': { type: 'string' } },
      required: ['e/f'],
    };
    expect(codes(checkValue(s, { 'a/b': 1, 'c~d': 2 }))).toEqual([
      '/e~1f missing_required',
      '/a~1b wrong_type',
      '/c~0d wrong_type',
    ]);
    expect(pointerEscape('a/b')).toBe('a~1b');
    expect(pointerEscape('~/')).toBe('~0~1');
    expect(pointerEscape(3)).toBe('3');
  });

  it('maxIssues caps the report', () => {
    const s = { type: 'array', items: { type: 'string' } };
    const v = Array.from({ length: 200 }, (_, i) => i);
    expect(checkValue(s, v)).toHaveLength(50);
    expect(checkValue(s, v, { maxIssues: 3 })).toHaveLength(3);
  });

  it('an empty or non-object schema accepts anything', () => {
    expect(checkValue({}, { any: [1] })).toEqual([]);
    expect(checkValue(true as never, 1)).toEqual([]);
    expect(checkValue(null as never, 1)).toEqual([]);
  });

  it('long values are shortened in messages', () => {
    const [issue] = checkValue({ type: 'number' }, 'x'.repeat(500));
    expect(issue!.message.length).toBeLessThan(100);
    expect(issue!.message).toContain('...');
  });

  it('stops at depth 64 instead of overflowing on self-similar schemas', () => {
    const schema: Record<string, unknown> = { type: 'object' };
    schema.properties = { next: schema };
    let v: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 5000; i++) v = { next: v };
    expect(() => checkValue(schema, v)).not.toThrow();
  });

  it('typeOfJson names JSON types', () => {
    expect([null, [], 1, 1.5, 's', true, {}].map(typeOfJson)).toEqual([
      'null',
      'array',
      'integer',
      'number',
      'string',
      'boolean',
      'object',
    ]);
  });
});

describe('checkValue properties', () => {
  const schemaArb = fc.letrec((tie) => ({
    s: fc.oneof(
      { maxDepth: 3, depthIdentifier: 'schema' },
      fc.constant({}),
      fc.record(
        {
          type: fc.oneof(
            fc.constantFrom(
              'object',
              'array',
              'string',
              'integer',
              'number',
              'boolean',
              'null',
              'dict',
              5,
            ),
            fc.array(fc.constantFrom('string', 'null', 'int')),
          ),
          properties: fc.dictionary(fc.string(), tie('s'), { maxKeys: 3 }),
          required: fc.oneof(fc.array(fc.string()), fc.constant('x')),
          items: tie('s'),
          anyOf: fc.array(tie('s'), { maxLength: 3 }),
          oneOf: fc.oneof(fc.constant(5), fc.array(tie('s'), { maxLength: 2 })),
          allOf: fc.array(tie('s'), { maxLength: 2 }),
          enum: fc.oneof(fc.array(fc.jsonValue()), fc.constant(3)),
          const: fc.jsonValue(),
          pattern: fc.constantFrom('[', '^a', '(?<x', '.*'),
          minimum: fc.oneof(fc.double(), fc.constant('x')),
          maxLength: fc.integer(),
          additionalProperties: fc.oneof(fc.boolean(), tie('s')),
          prefixItems: fc.oneof(fc.constant(3), fc.array(tie('s'), { maxLength: 2 })),
        },
        { requiredKeys: [] },
      ),
    ),
  }));

  it('never throws on random schema/value pairs', () => {
    fc.assert(
      fc.property(
        fc.oneof(schemaArb.s, fc.jsonValue()),
        fc.jsonValue(),
        fc.boolean(),
        (s, v, strict) => {
          const issues = checkValue(s as never, v, { strictObjects: strict });
          expect(Array.isArray(issues)).toBe(true);
          for (const i of issues) {
            expect(i.path === '' || i.path.startsWith('/')).toBe(true);
            expect(typeof i.message).toBe('string');
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('never throws on arbitrary JS values as schema and value', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (s, v) => {
        checkValue(s as never, v);
      }),
      { numRuns: 500 },
    );
  });

  it('a value always satisfies a schema that is its own const', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(checkValue({ const: v }, v)).toEqual([]);
        expect(checkValue({ enum: [1, v] }, v)).toEqual([]);
      }),
    );
  });
});
