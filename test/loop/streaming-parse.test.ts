// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { describe, expect, it } from 'vitest';
import { PlanNodeScanner } from '../../src/loop/node-scanner.ts';
import { extractJson } from '../../src/loop/plan-text.ts';
import { prefetchable, stableKey } from '../../src/loop/prefetch.ts';
import { truncateForLlm } from '../../src/loop/truncate.ts';
import { ToolRegistry } from '../../src/tool/registry.ts';

const plan = {
  version: 1,
  goal: 'nodes: {not} [these]',
  nodes: [
    { id: 'a', call: 'get', args: { q: 'x}"]' } },
    { id: 'b', map: '${a}', do: [{ id: 'c', call: 'get', args: { q: '${item}' } }] },
  ],
  output: '${b}',
};

describe('PlanNodeScanner', () => {
  it('reports each top-level node as soon as it is complete, whatever the chunking', () => {
    const text = JSON.stringify(plan, null, 1);
    for (const size of [1, 3, 7, 1000]) {
      const scanner = new PlanNodeScanner();
      const seen: { node: unknown; at: number }[] = [];
      for (let i = 0; i < text.length; i += size) {
        for (const node of scanner.push(text.slice(i, i + size))) seen.push({ node, at: i + size });
      }
      expect(seen.map((s) => s.node)).toEqual(plan.nodes);
      // The first node is reported long before the text ends.
      expect(seen[0]!.at).toBeLessThan(text.indexOf('"b"') + size);
    }
  });

  it('ignores arrays that are not the top-level nodes', () => {
    const scanner = new PlanNodeScanner();
    expect(
      scanner.push('{"version":1,"other":[{"id":"x"}],"nodes":[{"id":"y","value":1}]}'),
    ).toEqual([{ id: 'y', value: 1 }]);
  });
});

describe('extractJson', () => {
  it('finds the plan in fences or prose', () => {
    expect(extractJson('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(extractJson('Here:\n```json\n{"a":2}\n```\nthanks')).toEqual({
      ok: true,
      value: { a: 2 },
    });
    expect(extractJson('The plan is {"a":{"b":"}"}} ok')).toEqual({
      ok: true,
      value: { a: { b: '}' } },
    });
    expect(extractJson('no plan').ok).toBe(false);
  });
});

describe('prefetchable', () => {
  const registry = ToolRegistry.from([
    {
      name: 'get',
      description: 'read',
      inputSchema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
      execute: () => 1,
    },
    {
      name: 'put',
      description: 'write',
      mutating: true,
      inputSchema: { type: 'object' },
      execute: () => 1,
    },
    {
      name: 'ask',
      description: 'ask',
      requires_approval: true,
      inputSchema: { type: 'object' },
      execute: () => 1,
    },
  ]);
  it('accepts read-only calls whose args read only input, literals or prefetched nodes', () => {
    expect(prefetchable({ id: 'a', call: 'get', args: { q: 'x' } }, registry)).toMatchObject({
      ok: true,
      deps: [],
    });
    expect(
      prefetchable({ id: 'a', call: 'get', args: { q: '${input.u}' } }, registry),
    ).toMatchObject({ ok: true, deps: [] });
    expect(
      prefetchable({ id: 'b', call: 'get', args: { q: '${a.x}' } }, registry, new Set(['a'])),
    ).toMatchObject({
      ok: true,
      deps: ['a'],
    });
  });
  it('refuses anything else', () => {
    expect(
      prefetchable({ id: 'a', call: 'get', args: { q: '${other.x}' } }, registry, new Set(['a']))
        .ok,
    ).toBe(false);
    expect(prefetchable({ id: 'a', call: 'put', args: {} }, registry).ok).toBe(false);
    expect(prefetchable({ id: 'a', call: 'ask', args: {} }, registry).ok).toBe(false);
    expect(
      prefetchable({ id: 'a', call: 'get', args: { q: 'x' }, if: '${true}' }, registry).ok,
    ).toBe(false);
    expect(
      prefetchable({ id: 'a', call: 'get', args: { q: 'x' }, fallback: [] }, registry).ok,
    ).toBe(false);
    expect(prefetchable({ id: 'a', call: 'nope', args: {} }, registry).ok).toBe(false);
    expect(prefetchable({ id: 'a', value: 1 }, registry).ok).toBe(false);
  });
  it('keys calls by tool and args, whatever the key order', () => {
    expect(stableKey('t', { a: 1, b: [1, { c: 2, d: 3 }] })).toBe(
      stableKey('t', { b: [1, { d: 3, c: 2 }], a: 1 }),
    );
  });
});

describe('truncateForLlm', () => {
  it('keeps small values whole and cuts big ones to the budget', () => {
    expect(truncateForLlm({ a: 1 }, 100)).toBe('{"a":1}');
    const big = { rows: Array.from({ length: 500 }, (_, i) => ({ i, text: 'x'.repeat(200) })) };
    const cut = truncateForLlm(big, 2000);
    expect(cut.length).toBeLessThanOrEqual(2000);
    expect(cut).toContain('more');
  });
});
