import { describe, expect, it } from 'vitest';
import { derefSchema, resolveLocalRef } from '../../src/schema/deref-schema.ts';
import { ToolRegistry } from '../../src/tool/registry.ts';
import { validatePlan } from '../../src/validate/index.ts';

const withDefs = {
  type: 'object',
  properties: {
    item: { $ref: '#/$defs/Item' },
    list: { type: 'array', items: { $ref: '#/definitions/Item' } },
  },
  required: ['item'],
  $defs: {
    Item: {
      type: 'object',
      properties: { sku: { type: 'string' }, qty: { type: 'integer' } },
      required: ['sku'],
    },
  },
  definitions: { Item: { type: 'object', properties: { sku: { type: 'string' } } } },
};

describe('derefSchema', () => {
  it('inlines local $defs and definitions refs and drops the definitions', () => {
    const out = derefSchema(withDefs);
    expect(out.properties).toEqual({
      item: withDefs.$defs.Item,
      list: { type: 'array', items: withDefs.definitions.Item },
    });
    expect(out.$defs).toBeUndefined();
    expect(withDefs.properties.item).toEqual({ $ref: '#/$defs/Item' });
  });

  it('keeps a recursive ref as a bare $ref and keeps $defs for the runtime validator', () => {
    const tree = {
      type: 'object',
      properties: { root: { $ref: '#/$defs/Node' } },
      $defs: {
        Node: {
          type: 'object',
          properties: { children: { type: 'array', items: { $ref: '#/$defs/Node' } } },
        },
      },
    };
    const out = derefSchema(tree);
    const root = (out.properties as Record<string, Record<string, unknown>>).root;
    expect(root?.type).toBe('object');
    expect(JSON.stringify(root)).toContain('"$ref":"#/$defs/Node"');
    expect(out.$defs).toBe(tree.$defs);
  });

  it('keeps remote and dangling refs as they are, and merges sibling keywords', () => {
    const out = derefSchema({
      type: 'object',
      properties: {
        a: { $ref: 'https://example.invalid/s.json' },
        b: { $ref: '#/$defs/Missing' },
        c: { $ref: '#/$defs/S', description: 'why' },
      },
      $defs: { S: { type: 'string' } },
    });
    expect(out.properties).toEqual({
      a: { $ref: 'https://example.invalid/s.json' },
      b: { $ref: '#/$defs/Missing' },
      c: { type: 'string', description: 'why' },
    });
  });

  it('resolves escaped pointer segments and the root', () => {
    const root = { $defs: { 'a/b': { type: 'string' } } };
    expect(resolveLocalRef(root, '#/$defs/a~1b')).toEqual({ type: 'string' });
    expect(resolveLocalRef(root, '#')).toBe(root);
    expect(resolveLocalRef(root, '#/nope')).toBeUndefined();
  });

  it('lets the static check and CEL typing see through $ref', () => {
    const registry = ToolRegistry.from([
      {
        name: 'order',
        description: 'Orders an item.',
        inputSchema: withDefs,
        outputSchema: {
          type: 'object',
          properties: { line: { $ref: '#/$defs/Line' } },
          $defs: { Line: { type: 'object', properties: { total: { type: 'number' } } } },
        },
        execute: () => ({}),
      },
    ]);
    const bad = validatePlan(
      { version: 1, nodes: [{ id: 'o', call: 'order', args: { item: { sku: 1, qtty: 2 } } }] },
      registry,
    );
    expect(bad.valid).toBe(false);
    const codes = bad.issues.map((i) => `${i.path} ${i.code}`);
    expect(codes.some((c) => c.includes('/args/item/sku'))).toBe(true);
    expect(codes.some((c) => c.includes('/args/item/qtty'))).toBe(true);
    const typo = validatePlan(
      {
        version: 1,
        nodes: [
          { id: 'o', call: 'order', args: { item: { sku: 'x' } } },
          { id: 'p', call: 'order', args: { item: { sku: '${string(o.line.totl)}' } } },
        ],
      },
      registry,
    );
    expect(typo.issues.map((i) => i.message).join('\n')).toContain('totl');
  });
});
