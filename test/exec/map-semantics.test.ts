// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executePlan, type RunEvent } from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';

/** `map`: item order, tolerance boundaries, nesting, scope names and idempotency keys. */

interface Call {
  key: string;
  args: Record<string, unknown>;
}

/** A tool that waits the given latency (honouring its signal) and echoes its args. */
function latencyTool(calls: Call[], peak = { now: 0, max: 0 }): Tool {
  return {
    name: 'work',
    description: 'waits then echoes',
    inputSchema: z.object({ v: z.unknown(), ms: z.number() }).passthrough(),
    execute: async (args: Record<string, unknown>, ctx) => {
      calls.push({ key: ctx.idempotencyKey, args });
      peak.now += 1;
      peak.max = Math.max(peak.max, peak.now);
      try {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, args.ms as number);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(t);
            reject(ctx.signal.reason);
          });
        });
      } finally {
        peak.now -= 1;
      }
      return { v: args.v };
    },
  };
}

const failIf: Tool = {
  name: 'fail_if',
  description: 'fails when bad is true',
  inputSchema: z.object({ bad: z.boolean(), v: z.unknown() }),
  execute: ({ bad, v }) => {
    if (bad) throw new Error(`bad item ${JSON.stringify(v)}`);
    return v;
  },
};

describe('map keeps item order', () => {
  it('under concurrency with random tool latencies (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 0, maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        async (latencies, concurrency) => {
          const calls: Call[] = [];
          const peak = { now: 0, max: 0 };
          const items = latencies.map((ms, i) => ({ ms, v: `item${i}` }));
          const r = await executePlan(
            {
              version: 1,
              nodes: [
                {
                  id: 'm',
                  map: '${input.items}',
                  concurrency,
                  do: [{ id: 'w', call: 'work', args: { v: '${item.v}', ms: '${item.ms}' } }],
                },
              ],
              output: '${m}',
            },
            { tools: [latencyTool(calls, peak)], input: { items }, runId: 'order' },
          );
          expect(r).toMatchObject({
            status: 'succeeded',
            output: items.map((it) => ({ v: it.v })),
          });
          expect(peak.max).toBeLessThanOrEqual(concurrency);
          // Every item called exactly once, under its own key.
          expect(calls.map((c) => c.key).sort()).toEqual(
            items.map((_, i) => `order/w/${i}`).sort(),
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  it('an empty list gives an empty list and calls nothing', async () => {
    const calls: Call[] = [];
    const r = await executePlan(
      {
        version: 1,
        nodes: [{ id: 'm', map: [], do: [{ id: 'w', call: 'work', args: { v: 1, ms: 0 } }] }],
      },
      { tools: [latencyTool(calls)] },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { m: [] } });
    expect(calls).toHaveLength(0);
  });

  it("the map output is the body's last node in list order, not the last to finish", async () => {
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'm',
            map: [1, 2, 3],
            do: [
              { id: 'runs_second', value: '${runs_first * 100}' },
              { id: 'runs_first', value: '${item + 1}' },
            ],
          },
        ],
      },
      { tools: [] },
    );
    // `runs_first` is last in the list, so it is the body's output though it runs first.
    expect(r).toMatchObject({ status: 'succeeded', output: { m: [2, 3, 4] } });
  });
});

describe('tolerate: a fraction of the items', () => {
  const mapPlan = (tolerate?: number) => ({
    version: 1,
    nodes: [
      {
        id: 'm',
        map: '${input.bad}',
        as: 'b',
        ...(tolerate === undefined ? {} : { tolerate }),
        concurrency: 1,
        do: [{ id: 'f', call: 'fail_if', args: { bad: '${b}', v: '${index}' } }],
      },
    ],
  });
  const go = (bad: boolean[], tolerate?: number) =>
    executePlan(mapPlan(tolerate), { tools: [failIf], input: { bad } });

  it('tolerate 0 fails on the first failure with ToleranceExceeded', async () => {
    const r = await go([false, true, false], 0);
    expect(r).toMatchObject({ status: 'failed', error: { name: 'ToleranceExceeded' } });
  });

  it('no tolerate: the item error itself fails the map', async () => {
    const r = await go([false, true, false]);
    expect(r).toMatchObject({ status: 'failed', error: { name: 'ToolError', node: 'f/1' } });
  });

  it('exactly at the tolerance succeeds with nulls for the failed items', async () => {
    // 10 items, tolerate 0.2: 2 failures allowed.
    const bad = [false, true, false, false, true, false, false, false, false, false];
    const r = await go(bad, 0.2);
    expect(r).toMatchObject({
      status: 'succeeded',
      output: { m: [0, null, 2, 3, null, 5, 6, 7, 8, 9] },
    });
  });

  it('one failure above the tolerance is ToleranceExceeded, naming the counts', async () => {
    const bad = [false, true, false, false, true, false, false, true, false, false];
    const r = await go(bad, 0.2);
    expect(r).toMatchObject({ status: 'failed', error: { name: 'ToleranceExceeded' } });
    if (r.status !== 'failed') return;
    expect(r.error.message).toContain('3 of 10');
    expect(r.error.details).toMatchObject({ failed: 3, items: 10 });
  });

  it('a fraction that allows no whole item (0.05 of 10) tolerates nothing', async () => {
    const r = await go([true, false, false, false, false, false, false, false, false, false], 0.05);
    expect(r).toMatchObject({ status: 'failed', error: { name: 'ToleranceExceeded' } });
  });

  it('tolerate 1 tolerates every item failing', async () => {
    const r = await go([true, true, true], 1);
    expect(r).toMatchObject({ status: 'succeeded', output: { m: [null, null, null] } });
  });

  it('the tolerated failures are journaled as failed item nodes', async () => {
    const events: RunEvent[] = [];
    const bad = [false, true, false, false];
    await executePlan(mapPlan(0.25), {
      tools: [failIf],
      input: { bad },
      onEvent: (e) => events.push(e),
    });
    expect(events.filter((e) => e.type === 'node.failed').map((e) => e.key)).toEqual(['f/1']);
    expect(events.find((e) => e.type === 'node.succeeded' && e.key === 'm')).toMatchObject({
      output: [0, null, 2, 3],
    });
  });

  it('exceeding the tolerance cancels the items in flight', async () => {
    const calls: Call[] = [];
    const slowOrBad: Tool = {
      ...latencyTool(calls),
      execute: async (args: Record<string, unknown>, ctx) => {
        if (args.v === 'bad') throw new Error('bad');
        return latencyTool(calls).execute(args, ctx);
      },
    };
    const started = Date.now();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'm',
            map: ['slow', 'slow', 'bad'],
            tolerate: 0,
            do: [{ id: 'w', call: 'work', args: { v: '${item}', ms: 5000 } }],
          },
        ],
      },
      { tools: [slowOrBad] },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'ToleranceExceeded' } });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('nested maps', () => {
  it('give a list of lists in order, with instance keys for both indices', async () => {
    const calls: Call[] = [];
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'rows',
            map: '${input.grid}',
            as: 'row',
            do: [
              {
                id: 'cols',
                map: '${row}',
                as: 'cell',
                do: [
                  {
                    id: 'w',
                    call: 'work',
                    args: { v: '${cell * 10 + index}', ms: '${(3 - index) * 2}' },
                  },
                ],
              },
            ],
          },
        ],
      },
      { tools: [latencyTool(calls)], input: { grid: [[1, 2, 3], [4], []] }, runId: 'nest' },
    );
    expect(r).toMatchObject({
      status: 'succeeded',
      output: { rows: [[{ v: 10 }, { v: 21 }, { v: 32 }], [{ v: 40 }], []] },
    });
    expect(calls.map((c) => c.key).sort()).toEqual([
      'nest/w/0/0',
      'nest/w/0/1',
      'nest/w/0/2',
      'nest/w/1/0',
    ]);
  });

  it('the inner `index` shadows the outer; the outer item stays visible by its `as`', async () => {
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'o',
            map: ['a', 'b'],
            as: 'outer',
            do: [
              { id: 'oi', value: '${index}' },
              {
                id: 'i',
                map: [0, 1],
                do: [{ id: 'pair', value: '${outer + string(oi) + ":" + string(index)}' }],
              },
            ],
          },
        ],
      },
      { tools: [] },
    );
    expect(r).toMatchObject({
      status: 'succeeded',
      output: {
        o: [
          ['a0:0', 'a0:1'],
          ['b1:0', 'b1:1'],
        ],
      },
    });
  });
});

describe('`as`, `index` and idempotency keys', () => {
  it('`as` renames the item, `index` is 0-based, the key is runId/node/index on every try', async () => {
    const keys: Array<[string, number]> = [];
    let failOnce = true;
    const tool: Tool = {
      name: 'k',
      description: 'records keys; fails the first try of item 1',
      inputSchema: z.object({ uid: z.string(), i: z.number() }),
      execute: ({ uid, i }, ctx) => {
        keys.push([ctx.idempotencyKey, ctx.attempt]);
        if (i === 1 && failOnce) {
          failOnce = false;
          throw new Error('transient');
        }
        return `${uid}#${i}`;
      },
    };
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'users',
            map: '${input.ids}',
            as: 'uid',
            concurrency: 1,
            do: [
              {
                id: 'get',
                call: 'k',
                args: { uid: '${uid}', i: '${index}' },
                retry: { attempts: 2, delay_ms: 0 },
              },
            ],
          },
        ],
      },
      { tools: [tool], input: { ids: ['x', 'y', 'z'] }, runId: 'R1' },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { users: ['x#0', 'y#1', 'z#2'] } });
    expect(keys).toEqual([
      ['R1/get/0', 1],
      ['R1/get/1', 1],
      ['R1/get/1', 2],
      ['R1/get/2', 1],
    ]);
  });

  it('without `as`, the item is named `item`', async () => {
    const r = await executePlan(
      { version: 1, nodes: [{ id: 'm', map: [1, 2], do: [{ id: 'v', value: '${item * 2}' }] }] },
      { tools: [] },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { m: [2, 4] } });
  });

  it('a map over something that is not a list fails with ExpressionError', async () => {
    const r = await executePlan(
      {
        version: 1,
        nodes: [{ id: 'm', map: '${input.x}', do: [{ id: 'v', value: 1 }] }],
      },
      { tools: [], input: { x: { not: 'a list' } } },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'ExpressionError', node: 'm' } });
  });

  it('a body node reading an outer node makes the map wait for it', async () => {
    const calls: Call[] = [];
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'm',
            map: [1, 2],
            do: [{ id: 'v', value: '${item + base.v}' }],
          },
          { id: 'base', call: 'work', args: { v: 100, ms: 20 } },
        ],
      },
      { tools: [latencyTool(calls)] },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { m: [101, 102] } });
  });
});
