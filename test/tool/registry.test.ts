import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../src/errors/runtime-errors.ts';
import {
  checkArgs,
  checkOutput,
  checkToolDefinition,
  ToolRegistry,
} from '../../src/tool/registry.ts';
import { defineTool, type Tool } from '../../src/tool/tool.ts';

const valid = (extra: Record<string, unknown> = {}) => ({
  name: 'get_user',
  description: 'Looks a user up.',
  inputSchema: {
    type: 'object',
    properties: { user_id: { type: 'string' } },
    required: ['user_id'],
  },
  execute: () => ({ id: '1' }),
  ...extra,
});

function configError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('checkToolDefinition', () => {
  it('accepts a full, valid definition', () => {
    const def = valid({
      outputSchema: { type: 'object' },
      timeout_ms: 500,
      retry: { attempts: 3, on: ['ToolError'] },
      concurrency: 2,
      mutating: true,
      requires_approval: false,
    });
    expect(checkToolDefinition(def, 'm.mjs', 0)).toBe(def);
  });

  it.each([
    ['a missing name', { name: undefined }, '#3', 'name'],
    ['a name with spaces', { name: 'get user' }, 'get user', 'name'],
    ['a name starting with a digit', { name: '1tool' }, '1tool', 'name'],
    ['a name over 128 chars', { name: `a${'b'.repeat(128)}` }, `a${'b'.repeat(128)}`, 'name'],
    ['an empty description', { description: '  ' }, 'get_user', 'description'],
    ['a missing description', { description: undefined }, 'get_user', 'description'],
    ['execute not a function', { execute: 'run' }, 'get_user', 'execute'],
    ['a missing inputSchema', { inputSchema: undefined }, 'get_user', 'inputSchema'],
    ['an array inputSchema', { inputSchema: [] }, 'get_user', 'inputSchema'],
    ['a string inputSchema', { inputSchema: 'object' }, 'get_user', 'inputSchema'],
    ['a bad outputSchema', { outputSchema: 5 }, 'get_user', 'outputSchema'],
    ['timeout_ms 0', { timeout_ms: 0 }, 'get_user', 'timeout_ms'],
    ['timeout_ms 1.5', { timeout_ms: 1.5 }, 'get_user', 'timeout_ms'],
    ['timeout_ms as text', { timeout_ms: '100' }, 'get_user', 'timeout_ms'],
    ['concurrency -1', { concurrency: -1 }, 'get_user', 'concurrency'],
    ['mutating as text', { mutating: 'yes' }, 'get_user', 'mutating'],
    ['requires_approval 1', { requires_approval: 1 }, 'get_user', 'requires_approval'],
    ['retry.attempts 0', { retry: { attempts: 0 } }, 'get_user', 'retry.attempts'],
    ['retry.attempts 2.5', { retry: { attempts: 2.5 } }, 'get_user', 'retry.attempts'],
    ['retry.on not a list', { retry: { on: 'ToolError' } }, 'get_user', 'retry.on'],
    ['retry.on with a number', { retry: { on: [1] } }, 'get_user', 'retry.on'],
    ['retry null', { retry: null }, 'get_user', 'retry'],
    ['retry a number', { retry: 3 }, 'get_user', 'retry'],
    ['an unknown field', { handler: () => 1 }, 'get_user', 'handler'],
    ['a misspelt field', { input_schema: {} }, 'get_user', 'input_schema'],
  ])('rejects %s, naming the tool and the field', (_label, patch, tool, field) => {
    const def = { ...valid(), ...patch } as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete def[k];
    const err = configError(() => checkToolDefinition(def, 'tools.mjs', 3));
    expect(err.code).toBe('bad_tool_definition');
    expect(err.blame).toBe('config');
    expect(err.details).toEqual({ tool, field, source: 'tools.mjs' });
    expect(err.message.startsWith(`tool "${tool}" (from tools.mjs): field "${field}" `)).toBe(true);
  });

  it('unknown fields list the known ones', () => {
    const err = configError(() => checkToolDefinition(valid({ schema: {} }), 'x', 0));
    expect(err.message).toContain('is not a tool field; known fields: name, description');
  });

  it.each([null, undefined, 5, 'tool'])('rejects a non-object %o as tool #index', (value) => {
    const err = configError(() => checkToolDefinition(value, 'm.mjs', 4));
    expect(err.details).toEqual({ tool: '#4', field: '(tool)', source: 'm.mjs' });
    expect(err.message).toContain('must be an object');
  });

  it('accepts a zod input schema', () => {
    const def = valid({ inputSchema: z.object({ user_id: z.string() }) });
    expect(() => checkToolDefinition(def, 'x', 0)).not.toThrow();
  });

  it('never throws anything but ConfigError on random definitions (property)', () => {
    fc.assert(
      fc.property(fc.anything(), fc.dictionary(fc.string(), fc.anything()), (v, patch) => {
        for (const candidate of [v, { ...valid(), ...patch }]) {
          try {
            checkToolDefinition(candidate, 'p', 0);
          } catch (error) {
            expect(error).toBeInstanceOf(ConfigError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('ToolRegistry', () => {
  it('registers tools and answers lookups', () => {
    const r = ToolRegistry.from([valid(), valid({ name: 'other' })], 'inline.mjs');
    expect(r.size).toBe(2);
    expect(r.names()).toEqual(['get_user', 'other']);
    expect(r.has('get_user')).toBe(true);
    expect(r.has('nope')).toBe(false);
    expect(r.get('nope')).toBe(undefined);
    const t = r.get('get_user')!;
    expect(t.name).toBe('get_user');
    expect(t.source).toBe('inline.mjs');
    expect(t.outputSchema).toBe(undefined);
    expect(r.list().map((x) => x.name)).toEqual(['get_user', 'other']);
  });

  it('a duplicate name names both sources', () => {
    const r = ToolRegistry.from([valid()], 'a.mjs');
    const err = configError(() => r.addAll([valid()], 'b.mjs'));
    expect(err.code).toBe('duplicate_tool');
    expect(err.message).toContain('in a.mjs and in b.mjs');
    expect(err.details).toEqual({ tool: 'get_user', sources: ['a.mjs', 'b.mjs'] });
  });

  it('a bad tool is reported with its index in the list', () => {
    const err = configError(() => ToolRegistry.from([valid(), { description: 'x' }], 'm'));
    expect(err.details).toMatchObject({ tool: '#1', field: 'name' });
  });

  it('normalises JSON Schemas once, at registration', () => {
    const r = ToolRegistry.from([
      valid({
        inputSchema: { type: 'dict', properties: { n: { type: 'int' } } },
        outputSchema: { type: 'float' },
      }),
    ]);
    const t = r.get('get_user')!;
    expect(t.inputSchema).toEqual({ type: 'object', properties: { n: { type: 'integer' } } });
    expect(t.outputSchema).toEqual({ type: 'number' });
  });

  it('restrict() keeps only the allowed tools and ignores unknown names', () => {
    const r = ToolRegistry.from([valid(), valid({ name: 'b' }), valid({ name: 'c' })]);
    const only = r.restrict(['c', 'get_user', 'missing']);
    expect(only.names()).toEqual(['c', 'get_user']);
    expect(only.get('c')).toBe(r.get('c'));
    expect(only.has('b')).toBe(false);
    expect(r.size).toBe(3);
    expect(r.restrict([]).size).toBe(0);
  });

  it('restrict() gives an independent registry', () => {
    const r = ToolRegistry.from([valid()]);
    const only = r.restrict(['get_user']);
    only.add(valid({ name: 'extra' }));
    expect(r.has('extra')).toBe(false);
  });
});

describe('checkArgs and checkOutput: JSON Schema tools', () => {
  const registry = ToolRegistry.from([
    valid({
      outputSchema: {
        type: 'object',
        properties: { id: { type: 'string' } },
        required: ['id'],
      },
    }),
  ]);
  const tool = registry.get('get_user')!;

  it('accepts good args and reports required, unknown and wrong types', () => {
    expect(checkArgs(tool, { user_id: 'u1' })).toEqual([]);
    expect(checkArgs(tool, {})).toEqual([
      {
        path: '/user_id',
        code: 'missing_required',
        message: 'required argument "user_id" is missing',
      },
    ]);
    expect(checkArgs(tool, { user_id: 'u', extra: 1 })).toEqual([
      {
        path: '/extra',
        code: 'unknown_field',
        message: 'unknown argument "extra"; allowed: user_id',
      },
    ]);
    expect(checkArgs(tool, { user_id: 7 }).map((i) => `${i.path} ${i.code}`)).toEqual([
      '/user_id wrong_type',
    ]);
    expect(checkArgs(tool, 'x').map((i) => i.code)).toEqual(['wrong_type']);
  });

  it('checks output against the declared output schema, not strictly', () => {
    expect(checkOutput(tool, { id: '1', more: true })).toEqual([]);
    expect(checkOutput(tool, {}).map((i) => i.code)).toEqual(['missing_required']);
    expect(checkOutput(tool, { id: 2 }).map((i) => `${i.path} ${i.code}`)).toEqual([
      '/id wrong_type',
    ]);
  });

  it('a tool with no output schema accepts any output', () => {
    const t = ToolRegistry.from([valid()]).get('get_user')!;
    expect(checkOutput(t, 'anything')).toEqual([]);
    expect(checkOutput(t, undefined)).toEqual([]);
  });
});

describe('checkArgs and checkOutput: zod tools', () => {
  const zodTool = defineTool({
    name: 'create_order',
    description: 'Creates an order.',
    inputSchema: z.object({
      sku: z.string(),
      qty: z.number().int().min(1),
      note: z.string().optional(),
    }),
    outputSchema: z.object({ order_id: z.string() }),
    execute: ({ sku, qty }) => ({ order_id: `${sku}-${qty}` }),
  });
  const tool = ToolRegistry.from([zodTool]).get('create_order')!;

  it('turns zod into JSON Schema for the LLM', () => {
    expect(tool.inputSchema).toMatchObject({
      type: 'object',
      properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 1 } },
      required: ['sku', 'qty'],
    });
    expect(tool.outputSchema).toMatchObject({ type: 'object', required: ['order_id'] });
  });

  it('accepts good args', () => {
    expect(checkArgs(tool, { sku: 'A1', qty: 2 })).toEqual([]);
    expect(checkArgs(tool, { sku: 'A1', qty: 2, note: 'gift' })).toEqual([]);
  });

  it('reports missing and wrong-typed args with JSON pointer paths', () => {
    const issues = checkArgs(tool, { qty: 'two' });
    expect(issues.map((i) => `${i.path} ${i.code}`).sort()).toEqual([
      '/qty wrong_type',
      '/sku wrong_type',
    ]);
    expect(checkArgs(tool, { sku: 'A', qty: 0 }).map((i) => `${i.path} ${i.code}`)).toEqual([
      '/qty not_allowed',
    ]);
  });

  it('reports unknown args that zod would silently strip', () => {
    const issues = checkArgs(tool, { sku: 'A1', qty: 1, colour: 'red' });
    expect(issues).toEqual([
      {
        path: '/colour',
        code: 'unknown_field',
        message: 'unknown argument "colour"; allowed: sku, qty, note',
      },
    ]);
  });

  it('a strict zod object reports an unknown key once as unknown_field', () => {
    const strict = ToolRegistry.from([
      defineTool({
        name: 's',
        description: 'strict',
        inputSchema: z.object({ a: z.string() }).strict(),
        execute: () => null,
      }),
    ]).get('s')!;
    const codes = checkArgs(strict, { a: 'x', b: 1 }).map((i) => i.code);
    expect(codes.every((c) => c === 'unknown_field')).toBe(true);
    expect(codes.length).toBeGreaterThan(0);
  });

  it('zod paths escape / and ~', () => {
    const t = ToolRegistry.from([
      defineTool({
        name: 'p',
        description: 'paths',
        inputSchema: z.object({ 'a/b': z.object({ 'c~d': z.number() }) }),
        execute: () => null,
      }),
    ]).get('p')!;
    expect(checkArgs(t, { 'a/b': { 'c~d': 'x' } }).map((i) => i.path)).toEqual(['/a~1b/c~0d']);
  });

  it('checks output with zod', () => {
    expect(checkOutput(tool, { order_id: 'x' })).toEqual([]);
    expect(checkOutput(tool, { order_id: 5 }).map((i) => `${i.path} ${i.code}`)).toEqual([
      '/order_id wrong_type',
    ]);
  });

  it('runs the tool it registered', async () => {
    const t: Tool = tool.tool;
    expect(await t.execute({ sku: 'A1', qty: 2 }, {} as never)).toEqual({ order_id: 'A1-2' });
  });
});
