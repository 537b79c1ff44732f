import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildListGraph, ReadyTracker } from '../../src/exec/dataflow.ts';
import { executePlan } from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';

/** A random DAG: node i may depend on any j < i. */
const dag = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc.tuple(
    ...Array.from({ length: n }, (_, i) =>
      fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, i - 1) }), {
        maxLength: i === 0 ? 0 : Math.min(i, 4),
      }),
    ),
  ),
);

describe('ReadyTracker (pure)', () => {
  it('releases every node exactly once, only after all its dependencies, in any finishing order', () => {
    fc.assert(
      fc.property(dag, fc.array(fc.nat(), { minLength: 200, maxLength: 200 }), (deps, picks) => {
        const t = new ReadyTracker(buildListGraph(deps));
        const ready = [...t.start()];
        const done = new Set<number>();
        let p = 0;
        while (ready.length > 0) {
          const i = ready.splice((picks[p++ % picks.length] ?? 0) % ready.length, 1)[0]!;
          for (const d of deps[i]!) expect(done.has(d)).toBe(true);
          expect(done.has(i)).toBe(false);
          done.add(i);
          ready.push(...t.finish(i, 'succeeded'));
        }
        expect(done.size).toBe(deps.length);
        expect(t.allFinished).toBe(true);
      }),
    );
  });

  it('marks dependents of a skipped node', () => {
    const t = new ReadyTracker(buildListGraph([[], [0], [1]]));
    expect(t.finish(0, 'skipped')).toEqual([1]);
    expect(t.hasSkippedDependency(1)).toBe(true);
    expect(t.hasSkippedDependency(2)).toBe(false);
  });
});

describe('executor on random DAGs (property)', () => {
  it('runs every node once, after its deps, within max_concurrency', async () => {
    await fc.assert(
      fc.asyncProperty(dag, fc.integer({ min: 1, max: 6 }), async (deps, maxc) => {
        let inFlight = 0;
        let peak = 0;
        const starts = new Map<string, number>();
        const ends = new Map<string, number>();
        let clock = 0;
        const work: Tool = {
          name: 'work',
          description: 'records',
          inputSchema: z.object({ d: z.number() }),
          execute: async ({ d }, ctx) => {
            expect(starts.has(ctx.nodeId)).toBe(false);
            starts.set(ctx.nodeId, clock++);
            inFlight += 1;
            peak = Math.max(peak, inFlight);
            await new Promise((r) => setTimeout(r, d));
            inFlight -= 1;
            ends.set(ctx.nodeId, clock++);
            return d;
          },
        };
        const nodes = deps.map((ds, i) => ({
          id: `n${i}`,
          call: 'work',
          args: { d: (i * 7) % 3 },
          after: ds.map((d) => `n${d}`),
        }));
        const r = await executePlan(
          { version: 1, nodes, limits: { max_concurrency: maxc } },
          { tools: [work] },
        );
        expect(r.status).toBe('succeeded');
        expect(starts.size).toBe(deps.length);
        expect(peak).toBeLessThanOrEqual(maxc);
        deps.forEach((ds, i) => {
          for (const d of ds) expect(ends.get(`n${d}`)!).toBeLessThan(starts.get(`n${i}`)!);
        });
      }),
      { numRuns: 40 },
    );
  });
});

describe('parking ready calls while every slot is taken', () => {
  it('runs 3,000 ready calls at max_concurrency 2, skips what a false `if` skips, one event per start', async () => {
    let inFlight = 0;
    let peak = 0;
    const tool: Tool = {
      name: 't',
      description: 'waits a turn',
      inputSchema: z.object({}),
      execute: async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight -= 1;
        return 1;
      },
    };
    const nodes = Array.from({ length: 3000 }, (_, i) => ({
      id: `n${i}`,
      call: 't',
      args: {},
      ...(i % 3 === 2 ? { if: '${false}' } : {}),
    }));
    const events: string[] = [];
    const r = await executePlan(
      { version: 1, nodes, output: '${true}' },
      { tools: [tool], limits: { max_concurrency: 2 }, onEvent: (e) => events.push(e.type) },
    );
    expect(r.status).toBe('succeeded');
    expect(peak).toBe(2);
    expect(r.stats.toolCalls).toBe(2000);
    expect(events.filter((t) => t === 'node.skipped')).toHaveLength(1000);
    // A call's start is its first try: no separate node.attempt for it.
    expect(events.filter((t) => t === 'node.started')).toHaveLength(2000);
    expect(events.filter((t) => t === 'node.attempt')).toHaveLength(0);
  });
});
