// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  DEFAULT_MAX_ITEMS,
  DEFAULT_MAX_NODES,
  effectiveLimits,
  executePlan,
  MemoryJournalStore,
  type RunLimits,
} from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';

/** `limits.max_items` (items one map may run over) and `limits.max_nodes` (body node runs). */

function counter() {
  let calls = 0;
  const tool: Tool = {
    name: 'tick',
    description: 'counts calls',
    inputSchema: z.object({}).passthrough(),
    execute: () => ++calls,
  };
  return { tool, calls: () => calls };
}

const mapOfValues = {
  version: 1 as const,
  nodes: [{ id: 'm', map: '${input.items}', do: [{ id: 'v', value: '${item * 2}' }] }],
  output: '${size(m)}',
};
const items = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('max_items', () => {
  it('a map over 10,001 items fails typed up front, nothing of its items journaled', async () => {
    const store = new MemoryJournalStore();
    const c = counter();
    const r = await executePlan(
      {
        version: 1,
        nodes: [{ id: 'm', map: '${input.items}', do: [{ id: 't', call: 'tick', args: {} }] }],
      },
      { tools: [c.tool], store, runId: 'big', input: { items: items(DEFAULT_MAX_ITEMS + 1) } },
    );
    expect(r.status).toBe('failed');
    if (r.status !== 'failed') throw new Error('unreachable');
    expect(r.error).toMatchObject({ name: 'BudgetExceeded', code: 'max_items' });
    expect(r.error.message).toContain('map m has 10001 items, more than max_items (10000)');
    expect(r.error.message).toContain('limits.max_items');
    expect(c.calls()).toBe(0);
    const events = await store.read('big');
    const keys = events.flatMap((e) => ('key' in e ? [String(e.key)] : []));
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k === 'm')).toBe(true);
  });

  it('a raised caller limit lets it run; a plan can only tighten it', async () => {
    const n = DEFAULT_MAX_ITEMS + 1;
    const raised = await executePlan(mapOfValues, {
      tools: [],
      input: { items: items(n) },
      limits: { max_items: n },
    });
    expect(raised).toMatchObject({ status: 'succeeded', output: n });
    const loosened = await executePlan(
      { ...mapOfValues, limits: { max_items: 1_000_000 } },
      { tools: [], input: { items: items(n) } },
    );
    expect(loosened).toMatchObject({ status: 'failed', error: { code: 'max_items' } });
    const tightened = await executePlan(
      { ...mapOfValues, limits: { max_items: 2 } },
      { tools: [], input: { items: items(3) } },
    );
    expect(tightened).toMatchObject({ status: 'failed', error: { code: 'max_items' } });
    const atCap = await executePlan(
      { ...mapOfValues, limits: { max_items: 3 } },
      { tools: [], input: { items: items(3) } },
    );
    expect(atCap).toMatchObject({ status: 'succeeded', output: 3 });
  });

  it('tolerate does not swallow it', async () => {
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'outer',
            map: [1, 2],
            tolerate: 1,
            do: [{ id: 'inner', map: '${input.items}', do: [{ id: 'v', value: 1 }] }],
          },
        ],
      },
      { tools: [], input: { items: items(5) }, limits: { max_items: 4 } },
    );
    expect(r).toMatchObject({ status: 'failed', error: { code: 'max_items' } });
  });
});

describe('max_nodes', () => {
  it('value bodies count against it, though they make no tool call', async () => {
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'm',
            map: '${input.items}',
            do: [
              { id: 'a', value: 1 },
              { id: 'b', value: 2 },
            ],
          },
        ],
      },
      { tools: [], input: { items: items(100) }, limits: { max_nodes: 150, max_tool_calls: 0 } },
    );
    expect(r.status).toBe('failed');
    if (r.status !== 'failed') throw new Error('unreachable');
    expect(r.error).toMatchObject({ name: 'BudgetExceeded', code: 'max_nodes' });
    expect(r.error.message).toContain('max_nodes (150 body node runs)');
    const ok = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'm',
            map: '${input.items}',
            do: [
              { id: 'a', value: 1 },
              { id: 'b', value: 2 },
            ],
          },
        ],
      },
      { tools: [], input: { items: items(100) }, limits: { max_nodes: 200 } },
    );
    expect(ok.status).toBe('succeeded');
  });

  it('top-level nodes do not count; the default is documented in code', async () => {
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          { id: 'a', value: 1 },
          { id: 'b', value: 2 },
        ],
      },
      { tools: [], limits: { max_nodes: 0 } },
    );
    expect(r.status).toBe('succeeded');
    expect(effectiveLimits({}, {})).toMatchObject({
      max_items: DEFAULT_MAX_ITEMS,
      max_nodes: DEFAULT_MAX_NODES,
    });
    expect(effectiveLimits({ max_nodes: 5 }, { max_nodes: 9 }).max_nodes).toBe(5);
  });
});

describe('option checks quote bad values', () => {
  it.each([
    [{ max_items: -1 }, '"limits.max_items" must be an integer from 0 up', 'got -1'],
    [{ max_items: Number.NaN }, '"limits.max_items"', 'got NaN'],
    [{ max_nodes: 1.5 }, '"limits.max_nodes"', 'got 1.5'],
    [{ max_nodes: '10' }, '"limits.max_nodes"', 'got "10" (string)'],
  ] as [Record<string, unknown>, string, string][])('%j', async (limits, what, got) => {
    const r = await executePlan(mapOfValues, {
      tools: [],
      input: { items: [1] },
      limits: limits as RunLimits,
    });
    expect(r.status).toBe('failed');
    if (r.status !== 'failed') throw new Error('unreachable');
    expect(r.error.code).toBe('invalid_option');
    expect(r.error.message).toContain(what);
    expect(r.error.message).toContain(got);
  });
});
