import { describe, expect, it } from 'vitest';
import { compileSchema, draftOf } from '../../src/schema/json-validator.ts';
import { checkArgs, checkOutput, ToolRegistry } from '../../src/tool/registry.ts';

describe('compileSchema', () => {
  const schema = {
    type: 'object',
    properties: { a: { type: 'number' }, b: { $ref: '#/$defs/B' } },
    required: ['a', 'c'],
    additionalProperties: false,
    $defs: { B: { type: 'array', items: { type: 'string', minLength: 2 } } },
  };

  it('reports leaf failures with JSON pointers and toolplan issue codes', () => {
    const issues = compileSchema(schema)({ a: 'x', b: ['yy', 'y', 3], z: 1 });
    expect(issues.map((i) => `${i.path} ${i.code}`).sort()).toEqual(
      [
        '/a wrong_type',
        '/b/1 out_of_range',
        '/b/2 wrong_type',
        '/c missing_required',
        '/z unknown_field',
      ].sort(),
    );
    expect(compileSchema(schema)({ a: 1, b: ['ok'] }).map((i) => i.path)).toEqual(['/c']);
  });

  it('does not change the schema it compiles, and reads the declared draft', () => {
    const copy = structuredClone(schema);
    compileSchema(schema)({});
    expect(schema).toEqual(copy);
    expect(draftOf({ $schema: 'http://json-schema.org/draft-07/schema#' })).toBe('7');
    expect(draftOf({})).toBe('2020-12');
  });

  it('checks keywords the hand-written subset never did (multipleOf, uniqueItems, if/then)', () => {
    const check = compileSchema({
      type: 'object',
      properties: { n: { multipleOf: 5 }, tags: { uniqueItems: true } },
      if: { properties: { n: { const: 10 } } },
      // biome-ignore lint/suspicious/noThenProperty: the JSON Schema keyword.
      then: { required: ['why'] },
    });
    expect(check({ n: 3 }).map((i) => i.code)).toEqual(['out_of_range']);
    expect(check({ n: 5, tags: [1, 1] }).map((i) => i.path)).toEqual(['/tags']);
    expect(check({ n: 10 }).map((i) => i.path)).toEqual(['/why']);
  });
});

describe('additionalProperties, the same everywhere', () => {
  const open = { type: 'object', properties: { a: { type: 'string' } } };
  const tool = (extra: Record<string, unknown> = {}) =>
    ToolRegistry.from([
      {
        name: 't',
        description: 'T.',
        inputSchema: open,
        outputSchema: open,
        execute: () => ({}),
        ...extra,
      },
    ]).get('t')!;

  it('unknown arguments are an error by default, allowed with unknown_args: "allow"', () => {
    expect(checkArgs(tool(), { a: 'x', zz: 1 }).map((i) => `${i.path} ${i.code}`)).toEqual([
      '/zz unknown_field',
    ]);
    expect(checkArgs(tool({ unknown_args: 'allow' }), { a: 'x', zz: 1 })).toEqual([]);
  });

  it('outputs are open as JSON Schema says', () => {
    expect(checkOutput(tool(), { a: 'x', extra: true })).toEqual([]);
    expect(checkOutput(tool(), { a: 1 }).map((i) => i.code)).toEqual(['wrong_type']);
  });

  it('rejects a bad unknown_args value at load time', () => {
    expect(() => tool({ unknown_args: 'maybe' })).toThrow(/unknown_args/);
  });
});
