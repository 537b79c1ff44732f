// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executePlan, type RunEvent } from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';

/** `loop` (while after each iteration, iteration/last, max_iterations) and `paginate`. */

/** A job whose status becomes 'done' on the `doneAt`-th poll (1-based). */
function poller(doneAt: number) {
  const polls: Array<{ key: string; n: number }> = [];
  const tool: Tool = {
    name: 'job_status',
    description: 'status of a job',
    inputSchema: z.object({ job: z.string() }),
    execute: (_a, ctx) => {
      polls.push({ key: ctx.idempotencyKey, n: polls.length + 1 });
      return { state: polls.length >= doneAt ? 'done' : 'running', poll: polls.length };
    },
  };
  return { tool, polls };
}

/** A paged list: `total` items, `size` per page, cursor is the next offset or null. */
function pager(total: number, size: number, cursorOf: (offset: number) => unknown = (o) => o) {
  const cursors: unknown[] = [];
  const keys: string[] = [];
  const tool: Tool = {
    name: 'list',
    description: 'one page',
    inputSchema: z.object({ cursor: z.unknown() }),
    execute: ({ cursor }: { cursor: unknown }, ctx) => {
      cursors.push(cursor);
      keys.push(ctx.idempotencyKey);
      const offset = cursor === null ? 0 : Number(String(cursor).replace('c', ''));
      const items = Array.from({ length: Math.max(0, Math.min(size, total - offset)) }, (_, i) => ({
        id: offset + i,
      }));
      const next = offset + size < total ? cursorOf(offset + size) : null;
      return { items, next };
    },
  };
  return { tool, cursors, keys };
}

const paginate = (maxPages: number, extra: Record<string, unknown> = {}) => ({
  id: 'all',
  paginate: { call: 'list', args: { cursor: '${cursor}' } },
  next: '${page.next}',
  items: '${page.items}',
  max_pages: maxPages,
  ...extra,
});

describe('loop', () => {
  it('while is checked after each iteration: a false condition still runs the body once', async () => {
    const { tool, polls } = poller(1);
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'l',
            loop: [{ id: 'st', call: 'job_status', args: { job: 'j' } }],
            while: '${false}',
            max_iterations: 5,
          },
        ],
      },
      { tools: [tool] },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { l: { state: 'done', poll: 1 } } });
    expect(polls).toHaveLength(1);
  });

  it('polls until the condition turns false and outputs the last iteration body', async () => {
    const { tool, polls } = poller(3);
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'job',
            loop: [{ id: 'st', call: 'job_status', args: { job: 'j1' } }],
            while: "${st.state != 'done'}",
            max_iterations: 30,
          },
        ],
      },
      { tools: [tool], runId: 'L' },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { job: { state: 'done', poll: 3 } } });
    // Each iteration is its own instance, with its own idempotency key.
    expect(polls.map((p) => p.key)).toEqual(['L/st/0', 'L/st/1', 'L/st/2']);
  });

  it('max_iterations stops a loop whose condition stays true, without failing', async () => {
    const { tool, polls } = poller(1000);
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'l',
            loop: [{ id: 'st', call: 'job_status', args: { job: 'j' } }],
            while: '${true}',
            max_iterations: 4,
          },
        ],
      },
      { tools: [tool] },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { l: { poll: 4 } } });
    expect(polls).toHaveLength(4);
  });

  it('iteration counts from 0 and last is the previous iteration output (null at first)', async () => {
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'fib',
            loop: [
              {
                id: 'step',
                value:
                  '${ last == null ? {"a": 0, "b": 1, "i": iteration} : {"a": last.b, "b": last.a + last.b, "i": iteration} }',
              },
            ],
            while: '${step.i < 9}',
            max_iterations: 100,
          },
        ],
        output: '${fib}',
      },
      { tools: [] },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { a: 34, b: 55, i: 9 } });
  });

  it('while may read iteration and last as well as the body', async () => {
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'l',
            loop: [{ id: 'v', value: '${iteration * 10}' }],
            while: '${iteration < 2 && (last == null || last < v)}',
            max_iterations: 50,
          },
        ],
      },
      { tools: [] },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { l: 20 } });
  });

  it('a body of several nodes outputs its last node in list order', async () => {
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'l',
            loop: [
              { id: 'a', value: '${iteration}' },
              { id: 'b', value: '${a * 2}' },
            ],
            while: '${a < 2}',
            max_iterations: 10,
          },
        ],
      },
      { tools: [] },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { l: 4 } });
  });

  it('a while that is not a boolean fails the loop', async () => {
    const r = await executePlan(
      {
        version: 1,
        nodes: [{ id: 'l', loop: [{ id: 'v', value: 1 }], while: '${v}', max_iterations: 3 }],
      },
      { tools: [] },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'ExpressionError' } });
  });

  it('a failing body fails the loop at that iteration', async () => {
    const events: RunEvent[] = [];
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'l',
            loop: [{ id: 'f', if: '${iteration == 2}', fail: 'third time', error: 'Third' }],
            while: '${true}',
            max_iterations: 10,
          },
        ],
      },
      { tools: [], onEvent: (e) => events.push(e) },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'Third', node: 'f/2' } });
    expect(events.filter((e) => e.type === 'node.skipped').map((e) => e.key)).toEqual([
      'f/0',
      'f/1',
    ]);
  });
});

describe('paginate', () => {
  it('the first cursor is null; each next cursor is passed back; items are concatenated', async () => {
    const { tool, cursors } = pager(7, 3);
    const r = await executePlan({ version: 1, nodes: [paginate(10)] }, { tools: [tool] });
    expect(r).toMatchObject({
      status: 'succeeded',
      output: { all: [0, 1, 2, 3, 4, 5, 6].map((id) => ({ id })) },
    });
    expect(cursors).toEqual([null, 3, 6]);
  });

  it('a null next stops at once, even with pages left in max_pages', async () => {
    const { tool, cursors } = pager(2, 5);
    const r = await executePlan({ version: 1, nodes: [paginate(50)] }, { tools: [tool] });
    expect(r).toMatchObject({ status: 'succeeded', output: { all: [{ id: 0 }, { id: 1 }] } });
    expect(cursors).toEqual([null]);
  });

  it('max_pages bounds the calls and keeps the items fetched so far', async () => {
    const { tool, cursors } = pager(100, 2);
    const r = await executePlan({ version: 1, nodes: [paginate(3)] }, { tools: [tool] });
    expect(r).toMatchObject({
      status: 'succeeded',
      output: { all: [0, 1, 2, 3, 4, 5].map((id) => ({ id })) },
    });
    expect(cursors).toHaveLength(3);
  });

  it('string cursors pass through unchanged; each page has its own journaled key', async () => {
    const { tool, cursors, keys } = pager(5, 2, (o) => `c${o}`);
    const events: RunEvent[] = [];
    const r = await executePlan(
      { version: 1, nodes: [paginate(10)] },
      { tools: [tool], runId: 'P', onEvent: (e) => events.push(e) },
    );
    expect(r.status).toBe('succeeded');
    expect(cursors).toEqual([null, 'c2', 'c4']);
    expect(keys).toEqual(['P/all/page/0', 'P/all/page/1', 'P/all/page/2']);
    expect(events.filter((e) => e.type === 'node.succeeded').map((e) => e.key)).toEqual([
      'all/page/0',
      'all/page/1',
      'all/page/2',
      'all',
    ]);
    expect(r.stats.toolCalls).toBe(3);
  });

  it('items and next are expressions over page: they may transform it', async () => {
    const { tool } = pager(4, 2);
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          paginate(10, {
            items: '${page.items.map(x, x.id * 10)}',
            next: '${page.next == null ? null : page.next}',
          }),
        ],
      },
      { tools: [tool] },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { all: [0, 10, 20, 30] } });
  });

  it('items that are not a list fail with ExpressionError', async () => {
    const { tool } = pager(4, 2);
    const r = await executePlan(
      { version: 1, nodes: [paginate(10, { items: '${page.next}' })] },
      { tools: [tool] },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'ExpressionError' } });
  });

  it('a failing page fails the node, naming the page instance', async () => {
    let n = 0;
    const flaky: Tool = {
      name: 'list',
      description: 'fails on the second page',
      inputSchema: z.object({ cursor: z.unknown() }),
      execute: () => {
        n += 1;
        if (n === 2) throw new Error('page 2 broke');
        return { items: [n], next: n };
      },
    };
    const r = await executePlan({ version: 1, nodes: [paginate(5)] }, { tools: [flaky] });
    expect(r).toMatchObject({
      status: 'failed',
      error: { name: 'ToolError', node: 'all/page/1', message: 'page 2 broke' },
    });
  });

  it('a page call is retried under the node retry policy', async () => {
    let n = 0;
    const flaky: Tool = {
      name: 'list',
      description: 'the first try fails',
      inputSchema: z.object({ cursor: z.unknown() }),
      execute: (_a, ctx) => {
        n += 1;
        if (n === 1) throw new Error('transient');
        return { items: [ctx.attempt], next: null };
      },
    };
    const r = await executePlan(
      { version: 1, nodes: [paginate(5, { retry: { attempts: 2, delay_ms: 0 } })] },
      { tools: [flaky] },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { all: [2] } });
  });
});
