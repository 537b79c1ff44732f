// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { effectiveLimits, executePlan, type RunLimits } from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';

/** Run limits: concurrency (run-wide and per tool), deadline, max_tool_calls, tightening. */

function meter(name = 'work', extra: Partial<Tool> = {}) {
  const m = { now: 0, peak: 0, calls: 0, aborted: 0 };
  const tool: Tool = {
    name,
    description: 'waits a little, counting calls in flight',
    inputSchema: z.object({ ms: z.number().optional() }).passthrough(),
    execute: async (args: { ms?: number }, ctx) => {
      m.calls += 1;
      m.now += 1;
      m.peak = Math.max(m.peak, m.now);
      try {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, args.ms ?? 3);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(t);
            m.aborted += 1;
            reject(ctx.signal.reason);
          });
        });
      } finally {
        m.now -= 1;
      }
      return m.calls;
    },
    ...extra,
  };
  return { tool, m };
}

/** Calls spread over every kind of parallel structure: top level, map, nested map, race. */
const wide = (n: number) => [
  ...Array.from({ length: n }, (_, i) => ({ id: `top${i}`, call: 'work', args: {} })),
  {
    id: 'm',
    map: Array.from({ length: n }, (_, i) => i),
    concurrency: 50,
    do: [
      { id: 'a', call: 'work', args: {} },
      { id: 'inner', map: [1, 2, 3], concurrency: 50, do: [{ id: 'b', call: 'work', args: {} }] },
    ],
  },
  {
    id: 'r',
    pick: 'best',
    score: '${result}',
    race: Array.from({ length: n }, (_, i) => ({ id: `br${i}`, call: 'work', args: {} })),
  },
];

describe('max_concurrency', () => {
  it('holds across parallel branches, maps, nested maps and races (observed peak)', async () => {
    for (const max of [1, 3, 7]) {
      const { tool, m } = meter();
      const r = await executePlan(
        { version: 1, nodes: wide(6) },
        { tools: [tool], limits: { max_concurrency: max } },
      );
      expect(r.status).toBe('succeeded');
      expect(m.calls).toBe(6 + 6 * 4 + 6);
      expect(m.peak).toBe(max);
    }
  });

  it('the plan may tighten it but never loosen it', async () => {
    const loosen = meter();
    await executePlan(
      { version: 1, nodes: wide(5), limits: { max_concurrency: 100 } },
      { tools: [loosen.tool], limits: { max_concurrency: 2 } },
    );
    expect(loosen.m.peak).toBe(2);
    const tighten = meter();
    await executePlan(
      { version: 1, nodes: wide(5), limits: { max_concurrency: 2 } },
      { tools: [tighten.tool], limits: { max_concurrency: 20 } },
    );
    expect(tighten.m.peak).toBe(2);
  });

  it('structural nodes take no slot: a map inside a map at max 1 does not deadlock', async () => {
    const { tool, m } = meter();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'outer',
            map: [1, 2],
            do: [{ id: 'inner', map: [1, 2], do: [{ id: 'w', call: 'work', args: {} }] }],
          },
        ],
      },
      { tools: [tool], limits: { max_concurrency: 1 } },
    );
    expect(r.status).toBe('succeeded');
    expect(m.peak).toBe(1);
    expect(m.calls).toBe(4);
  });
});

describe('per-tool concurrency', () => {
  it('a tool concurrency holds under a larger run limit, other tools are not held by it', async () => {
    const narrow = meter('narrow', { concurrency: 2 });
    const broad = meter('broad');
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'm',
            map: Array.from({ length: 10 }, (_, i) => i),
            do: [
              { id: 'n', call: 'narrow', args: { ms: 5 } },
              { id: 'b', call: 'broad', args: { ms: 5 } },
            ],
          },
        ],
      },
      { tools: [narrow.tool, broad.tool], limits: { max_concurrency: 8 } },
    );
    expect(r.status).toBe('succeeded');
    expect(narrow.m.peak).toBe(2);
    expect(broad.m.peak).toBeGreaterThan(2);
    expect(narrow.m.peak + broad.m.peak).toBeLessThanOrEqual(16);
  });
});

describe('deadline_ms', () => {
  it('fails the run with BudgetExceeded and aborts the tools in flight', async () => {
    const { tool, m } = meter();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          { id: 'a', call: 'work', args: { ms: 5000 } },
          { id: 'b', call: 'work', args: { ms: 5000 } },
        ],
        limits: { deadline_ms: 30 },
      },
      { tools: [tool] },
    );
    expect(r).toMatchObject({
      status: 'failed',
      error: { name: 'BudgetExceeded', code: 'deadline_exceeded' },
    });
    expect(m.aborted).toBe(2);
  });

  it('the tighter of caller and plan deadline applies', async () => {
    const { tool, m } = meter();
    const plan = { version: 1, nodes: [{ id: 'a', call: 'work', args: { ms: 5000 } }] };
    const r = await executePlan(
      { ...plan, limits: { deadline_ms: 60_000 } },
      { tools: [tool], limits: { deadline_ms: 25 } },
    );
    expect(r).toMatchObject({ status: 'failed', error: { code: 'deadline_exceeded' } });
    // The 25 ms deadline ended the 5 s call (the plan's 60 s one would have let it finish).
    expect(m.aborted).toBe(1);
  });

  it('compensations still run after the deadline stopped the run', async () => {
    const undone: string[] = [];
    const { tool } = meter();
    const undo: Tool = {
      name: 'undo',
      description: 'undo',
      inputSchema: z.object({}).passthrough(),
      execute: (a: { what: string }) => {
        undone.push(a.what);
        return null;
      },
    };
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'done_first',
            call: 'work',
            args: { ms: 1 },
            compensate: { call: 'undo', args: { what: 'done_first' } },
          },
          { id: 'slow', after: ['done_first'], call: 'work', args: { ms: 5000 } },
        ],
        limits: { deadline_ms: 40 },
      },
      { tools: [tool, undo] },
    );
    expect(r).toMatchObject({ status: 'failed', error: { code: 'deadline_exceeded' } });
    expect(undone).toEqual(['done_first']);
  });
});

describe('max_tool_calls', () => {
  it('counts every try: retries use up the budget', async () => {
    let n = 0;
    const flaky: Tool = {
      name: 'flaky',
      description: 'always fails',
      inputSchema: z.object({}),
      execute: () => {
        n += 1;
        throw new Error('no');
      },
    };
    const r = await executePlan(
      {
        version: 1,
        nodes: [{ id: 'f', call: 'flaky', retry: { attempts: 5, delay_ms: 0 } }],
        limits: { max_tool_calls: 3 },
      },
      { tools: [flaky] },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'BudgetExceeded' } });
    expect(n).toBe(3);
    expect(r.stats.toolCalls).toBe(3);
  });

  it('holds across a parallel map: never more calls than the budget', async () => {
    const { tool, m } = meter();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'm',
            map: Array.from({ length: 40 }, (_, i) => i),
            concurrency: 10,
            do: [{ id: 'w', call: 'work', args: {} }],
          },
        ],
      },
      { tools: [tool], limits: { max_tool_calls: 7 } },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'BudgetExceeded' } });
    expect(m.calls).toBe(7);
  });

  it('a run with exactly the budget it needs succeeds', async () => {
    const { tool, m } = meter();
    const r = await executePlan(
      { version: 1, nodes: [{ id: 'm', map: [1, 2, 3], do: [{ id: 'w', call: 'work' }] }] },
      { tools: [tool], limits: { max_tool_calls: 3 } },
    );
    expect(r.status).toBe('succeeded');
    expect(m.calls).toBe(3);
  });

  it('the plan cannot raise the caller budget', async () => {
    const { tool, m } = meter();
    const r = await executePlan(
      {
        version: 1,
        nodes: [{ id: 'm', map: [1, 2, 3, 4], concurrency: 1, do: [{ id: 'w', call: 'work' }] }],
        limits: { max_tool_calls: 100 },
      },
      { tools: [tool], limits: { max_tool_calls: 2 } },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'BudgetExceeded' } });
    expect(m.calls).toBe(2);
  });
});

describe('effectiveLimits (pure)', () => {
  const limit = fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: undefined });
  const limits = fc.record({
    max_concurrency: limit,
    deadline_ms: limit,
    max_tool_calls: limit,
  });

  it('each limit is the tighter of caller and plan; the plan never loosens (property)', () => {
    fc.assert(
      fc.property(limits, limits, (caller, plan) => {
        const clean = (o: Record<string, number | undefined>) =>
          Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as RunLimits;
        const out = effectiveLimits(clean(caller), clean(plan));
        for (const key of ['deadline_ms', 'max_tool_calls'] as const) {
          const c = caller[key];
          const p = plan[key];
          if (c !== undefined) expect(out[key]).toBeLessThanOrEqual(c);
          if (p !== undefined) expect(out[key]).toBeLessThanOrEqual(p);
          if (c === undefined && p === undefined) expect(out[key]).toBeUndefined();
          else expect(out[key]).toBe(Math.min(c ?? Infinity, p ?? Infinity));
        }
        // Concurrency always has a bound: the default when neither sets one.
        const mc = out.max_concurrency!;
        expect(mc).toBeGreaterThanOrEqual(1);
        if (caller.max_concurrency !== undefined)
          expect(mc).toBeLessThanOrEqual(caller.max_concurrency);
        if (plan.max_concurrency !== undefined)
          expect(mc).toBeLessThanOrEqual(plan.max_concurrency);
      }),
    );
  });
});
