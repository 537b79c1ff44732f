import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executePlan, type RunEvent } from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';
import { flaky, makeTools } from '../support/exec-tools.ts';

const plan = (nodes: unknown[], extra: Record<string, unknown> = {}) => ({
  version: 1,
  nodes,
  ...extra,
});

async function run(
  nodes: unknown[],
  extra: Record<string, unknown> = {},
  more: Tool[] = [],
  input?: unknown,
) {
  const { tools, log } = makeTools();
  const events: RunEvent[] = [];
  const result = await executePlan(plan(nodes, extra), {
    tools: [...tools, ...more],
    input,
    onEvent: (e) => events.push(e),
    random: () => 0.5,
  });
  return { result, log, events };
}

/** The starts and successes of these node instances, in journal order. */
function order(events: RunEvent[], keys: string[]): string[] {
  return events.flatMap((e) =>
    (e.type === 'node.started' || e.type === 'node.succeeded') && keys.includes(e.key)
      ? [`${e.type} ${e.key}`]
      : [],
  );
}

describe('executePlan: node kinds', () => {
  it('runs a chain with parameter resolution and returns sink outputs by id', async () => {
    const { result } = await run(
      [
        { id: 'a', call: 'add', args: { a: '${input.x}', b: 2 } },
        { id: 'b', call: 'add', args: { a: '${a.sum}', b: 1.5 } },
      ],
      {},
      [],
      { x: 1 },
    );
    expect(result).toMatchObject({ status: 'succeeded', output: { b: { sum: 4.5 } } });
  });

  it('evaluates the output expression', async () => {
    const { result } = await run([{ id: 'a', call: 'add', args: { a: 2, b: 3 } }], {
      output: 'total ${a.sum}',
    });
    expect(result).toMatchObject({ status: 'succeeded', output: 'total 5' });
  });

  it('starts independent nodes at once (fork-join)', async () => {
    const { result, events } = await run([
      { id: 'p', call: 'sleep', args: { ms: 60, tag: 'p' } },
      { id: 'q', call: 'sleep', args: { ms: 60, tag: 'q' } },
      { id: 'j', value: '${ [p.tag, q.tag] }' },
    ]);
    expect(result).toMatchObject({ status: 'succeeded', output: { j: ['p', 'q'] } });
    // Both started before either finished; the join after both.
    const o = order(events, ['p', 'q', 'j']);
    expect(o.slice(0, 2).sort()).toEqual(['node.started p', 'node.started q']);
    expect(o.slice(2, 4).sort()).toEqual(['node.succeeded p', 'node.succeeded q']);
    expect(o.slice(4)).toEqual(['node.started j', 'node.succeeded j']);
  });

  it('map: item order, as/index, idempotency key gets /index, concurrency', async () => {
    const { result, log, events } = await run(
      [
        {
          id: 'm',
          map: '${input.xs}',
          as: 'x',
          concurrency: 2,
          do: [{ id: 's', call: 'sleep', args: { ms: '${x}', tag: '${string(index)}' } }],
        },
      ],
      {},
      [],
      { xs: [30, 10, 20] },
    );
    expect(result.status).toBe('succeeded');
    if (result.status !== 'succeeded') return;
    expect((result.output as { m: unknown[] }).m).toEqual([
      { ms: 30, tag: '0' },
      { ms: 10, tag: '1' },
      { ms: 20, tag: '2' },
    ]);
    expect(log.map((l) => l.key.split('/').slice(1).join('/')).sort()).toEqual([
      's/0',
      's/1',
      's/2',
    ]);
    // concurrency 2: the third item starts only after one of the first two ended (the
    // 10 ms one, s/1).
    const o = order(events, ['s/0', 's/1', 's/2']);
    expect(o.slice(0, 2).sort()).toEqual(['node.started s/0', 'node.started s/1']);
    expect(o.slice(2, 4)).toEqual(['node.succeeded s/1', 'node.started s/2']);
  });

  it('map tolerate: failed items are null within the tolerance, ToleranceExceeded beyond', async () => {
    const body = [
      { id: 'f', if: '${item == 2}', fail: 'bad item', error: 'BadItem' },
      { id: 'o', value: '${item * 10}' },
    ];
    const ok = await run([{ id: 'm', map: [1, 2, 3, 4], tolerate: 0.25, do: body }]);
    expect(ok.result).toMatchObject({ status: 'succeeded', output: { m: [10, null, 30, 40] } });
    const bad = await run([
      { id: 'm', map: [2, 2, 3], tolerate: 0.4, do: [{ id: 'f', if: '${item == 2}', fail: 'x' }] },
    ]);
    expect(bad.result).toMatchObject({ status: 'failed', error: { name: 'ToleranceExceeded' } });
  });

  it('race first: the winner is returned and the losers are aborted', async () => {
    const { result, events, log } = await run([
      {
        id: 'r',
        race: [
          { id: 'slow', call: 'sleep', args: { ms: 2000 } },
          { id: 'fast', call: 'sleep', args: { ms: 10, tag: 'fast' } },
        ],
      },
    ]);
    expect(result).toMatchObject({ status: 'succeeded', output: { r: { ms: 10, tag: 'fast' } } });
    // The loser was aborted as soon as the winner finished, not waited for: its sleep never
    // completed, and its cancellation comes between the win and the end of the run.
    expect(log.find((c) => c.key.endsWith('/slow'))).toMatchObject({ tool: 'sleep' });
    expect(log.find((c) => c.key.endsWith('/slow'))?.end).toBeUndefined();
    const order = events.flatMap((e) =>
      (e.type === 'node.succeeded' || e.type === 'node.cancelled') && e.key !== 'r'
        ? [`${e.type} ${e.key}`]
        : e.type === 'run.finished'
          ? ['run.finished']
          : [],
    );
    expect(order).toEqual(['node.succeeded fast', 'node.cancelled slow', 'run.finished']);
  });

  it('race best: picks the best score with result in scope; AllFailed when all fail', async () => {
    const { result } = await run([
      {
        id: 'r',
        pick: 'best',
        score: '${result.v}',
        race: [
          { id: 'a', call: 'echo', args: { v: 3 } },
          { id: 'b', call: 'echo', args: { v: 7 } },
          { id: 'c', call: 'boom', args: {} },
        ],
      },
    ]);
    expect(result).toMatchObject({ status: 'succeeded', output: { r: { v: 7 } } });
    const all = await run([
      {
        id: 'r',
        race: [
          { id: 'a', call: 'boom' },
          { id: 'b', call: 'boom' },
        ],
      },
    ]);
    expect(all.result).toMatchObject({ status: 'failed', error: { name: 'AllFailed' } });
  });

  it('switch: first matching case, default, null when nothing matches', async () => {
    const sw = (n: number) => [
      {
        id: 's',
        switch: [
          { when: `\${${n} > 5}`, do: [{ id: 'big', value: 'big' }] },
          { when: `\${${n} > 0}`, do: [{ id: 'small', value: 'small' }] },
        ],
      },
      {
        id: 'd',
        switch: [
          { when: '${false}', do: [{ id: 'x', value: 1 }] },
          { do: [{ id: 'y', value: 'dflt' }] },
        ],
      },
    ];
    expect((await run(sw(9))).result).toMatchObject({ output: { s: 'big', d: 'dflt' } });
    expect((await run(sw(1))).result).toMatchObject({ output: { s: 'small' } });
    expect((await run(sw(-1))).result).toMatchObject({ output: { s: null } });
  });

  it('if: false skips the node (null) and everything depending on it', async () => {
    const { result, events } = await run(
      [
        { id: 'a', if: '${input.go}', call: 'echo', args: { v: 1 } },
        { id: 'b', call: 'echo', args: { v: '${a}' } },
        { id: 'c', after: ['b'], value: 'c' },
        { id: 'd', value: 'd' },
      ],
      {},
      [],
      { go: false },
    );
    expect(result).toMatchObject({ status: 'succeeded', output: { c: null, d: 'd' } });
    expect(
      events.filter((e) => e.type === 'node.skipped').map((e) => (e as { reason: string }).reason),
    ).toEqual(['condition', 'dependency', 'dependency']);
  });

  it('loop: while after each iteration, iteration and last in scope, max_iterations', async () => {
    const { result } = await run([
      {
        id: 'l',
        loop: [{ id: 'st', value: '${ {"i": iteration, "prev": last} }' }],
        while: '${st.i < 3}',
        max_iterations: 10,
      },
      {
        id: 'cap',
        loop: [{ id: 'z', value: '${iteration}' }],
        while: '${true}',
        max_iterations: 4,
      },
    ]);
    expect(result).toMatchObject({
      status: 'succeeded',
      output: { l: { i: 3, prev: { i: 2, prev: { i: 1, prev: { i: 0, prev: null } } } }, cap: 3 },
    });
  });

  it('paginate: cursor in args, page in next/items, stops on null next and at max_pages', async () => {
    const pages: Tool = {
      name: 'pages',
      description: 'pages of 2',
      inputSchema: z.object({ cursor: z.number().nullable() }),
      execute: ({ cursor }) => {
        const c = cursor ?? 0;
        return { items: [c, c + 1], next: c + 2 < 7 ? c + 2 : null };
      },
    };
    const { result } = await run(
      [
        {
          id: 'all',
          paginate: { call: 'pages', args: { cursor: '${cursor}' } },
          next: '${page.next}',
          items: '${page.items}',
          max_pages: 10,
        },
        {
          id: 'two',
          paginate: { call: 'pages', args: { cursor: '${cursor}' } },
          next: '${page.next}',
          items: '${page.items}',
          max_pages: 2,
        },
      ],
      {},
      [pages],
    );
    expect(result).toMatchObject({ output: { all: [0, 1, 2, 3, 4, 5, 6, 7], two: [0, 1, 2, 3] } });
  });

  it('try/catch/finally: catch sees error {name, message, node}; finally always runs', async () => {
    const { result, log } = await run([
      {
        id: 't',
        try: [{ id: 'bad', call: 'boom', args: {} }],
        catch: [{ id: 'h', value: '${error}' }],
        finally: [{ id: 'fin', call: 'echo', args: { v: 'finally' } }],
      },
    ]);
    expect(result).toMatchObject({
      status: 'succeeded',
      output: { t: { name: 'ToolError', message: 'boom', node: 'bad' } },
    });
    expect(log.some((l) => l.tool === 'echo')).toBe(true);
    const noCatch = await run([
      {
        id: 't',
        try: [{ id: 'bad', fail: 'nope', error: 'MyErr' }],
        finally: [{ id: 'fin', call: 'echo' }],
      },
    ]);
    expect(noCatch.result).toMatchObject({
      status: 'failed',
      error: { name: 'MyErr', message: 'nope', node: 'bad' },
    });
    expect(noCatch.log.some((l) => l.tool === 'echo')).toBe(true);
  });

  it('wait_ms, emit (to onEmit and the event stream) and fail', async () => {
    const emitted: unknown[] = [];
    const { tools } = makeTools();
    const events: RunEvent[] = [];
    const result = await executePlan(
      plan([
        { id: 'w', wait_ms: 30 },
        { id: 'e', after: ['w'], emit: 'progress', data: { n: '${1 + 1}' } },
        { id: 'quick', call: 'sleep', args: { ms: 5 } },
      ]),
      { tools, onEmit: (t, d) => emitted.push([t, d]), onEvent: (e) => events.push(e) },
    );
    expect(result).toMatchObject({ status: 'succeeded', output: { e: null } });
    // The wait really waits: a 5 ms call started with it finishes first.
    const o = order(events, ['w', 'quick']);
    expect(o.slice(0, 2).sort()).toEqual(['node.started quick', 'node.started w']);
    expect(o.slice(2)).toEqual(['node.succeeded quick', 'node.succeeded w']);
    expect(emitted).toEqual([['progress', { n: 2 }]]);
    expect(events.find((e) => e.type === 'emit')).toMatchObject({
      topic: 'progress',
      data: { n: 2 },
    });
    expect((await run([{ id: 'f', fail: 'stop here' }])).result).toMatchObject({
      status: 'failed',
      error: { name: 'Failed', message: 'stop here' },
    });
  });

  it('retry with backoff only for names in retry.on; fallback in order after retries', async () => {
    const { result, events } = await run(
      [{ id: 'q', call: 'f1', retry: { attempts: 3, delay_ms: 5 } }],
      {},
      [flaky('f1', 2)],
    );
    expect(result).toMatchObject({ status: 'succeeded', output: { q: { ok: true, attempt: 3 } } });
    expect(
      events
        .filter((e) => e.type === 'node.attempt_failed')
        .map((e) => (e as { retry_in_ms?: number }).retry_in_ms),
    ).toEqual([2, 5]);
    const notOn = await run([{ id: 'q', call: 'f2', retry: { attempts: 3, delay_ms: 1 } }], {}, [
      flaky('f2', 1, 'RateLimited'),
    ]);
    expect(notOn.result).toMatchObject({ status: 'failed', error: { name: 'RateLimited' } });
    const on = await run(
      [{ id: 'q', call: 'f3', retry: { attempts: 3, delay_ms: 1, on: ['RateLimited'] } }],
      {},
      [flaky('f3', 1, 'RateLimited')],
    );
    expect(on.result.status).toBe('succeeded');
    const fb = await run([
      {
        id: 'q',
        call: 'boom',
        retry: { attempts: 2, delay_ms: 1 },
        fallback: [
          { call: 'boom' },
          { call: 'echo', args: { from: 'second' } },
          { value: 'never' },
        ],
      },
    ]);
    expect(fb.result).toMatchObject({ status: 'succeeded', output: { q: { from: 'second' } } });
    // Each alternative gets the node's retry policy: 2 + 2 tries of boom, then echo.
    expect(fb.log.map((l) => l.tool)).toEqual(['boom', 'boom', 'boom', 'boom', 'echo']);
    const val = await run([{ id: 'q', call: 'boom', fallback: [{ value: '${ {"price": 0} }' }] }]);
    expect(val.result).toMatchObject({ output: { q: { price: 0 } } });
  });

  it('checks args (InvalidArgs, no call made) and outputs (InvalidOutput)', async () => {
    const bad = await run([{ id: 'a', call: 'add', args: { a: 'x', b: 1 } }]);
    expect(bad.result).toMatchObject({
      status: 'failed',
      error: { name: 'InvalidArgs', node: 'a' },
    });
    expect(bad.log).toHaveLength(0);
    const liar: Tool = {
      name: 'liar',
      description: 'bad output',
      inputSchema: z.object({}),
      outputSchema: z.object({ n: z.number() }),
      execute: () => ({ n: 'x' }),
    };
    expect((await run([{ id: 'l', call: 'liar' }], {}, [liar])).result).toMatchObject({
      error: { name: 'InvalidOutput' },
    });
  });

  it('allowTools refuses other tools before running them', async () => {
    const { tools, log } = makeTools();
    const r = await executePlan(plan([{ id: 'a', call: 'boom' }]), { tools, allowTools: ['echo'] });
    expect(r).toMatchObject({
      status: 'failed',
      error: { name: 'ToolNotAllowed', code: 'tool_not_allowed' },
    });
    expect(log).toHaveLength(0);
  });

  it('plan limits tighten the caller: max_tool_calls gives BudgetExceeded', async () => {
    const { tools } = makeTools();
    const r = await executePlan(
      plan([{ id: 'm', map: [1, 2, 3, 4], concurrency: 1, do: [{ id: 'e', call: 'echo' }] }], {
        limits: { max_tool_calls: 2 },
      }),
      { tools, limits: { max_tool_calls: 100 } },
    );
    expect(r).toMatchObject({
      status: 'failed',
      error: { name: 'BudgetExceeded' },
      stats: { toolCalls: 2 },
    });
  });
});
