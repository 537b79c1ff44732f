import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executePlan, type RunEvent } from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';
import { makeTools } from '../support/exec-tools.ts';

const unhandled: unknown[] = [];
const spy = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', spy);
});
afterAll(() => {
  process.off('unhandledRejection', spy);
});

const t = (name: string, execute: Tool['execute'], extra: Partial<Tool> = {}): Tool => ({
  name,
  description: name,
  inputSchema: z.object({}).passthrough(),
  execute,
  ...extra,
});

const nasty: Tool[] = [
  t('throws_string', () => {
    throw 'a string';
  }),
  t('throws_null', () => {
    throw null;
  }),
  t('throws_object', () => {
    throw { code: 42, why: 'object' };
  }),
  t('rejects_undefined', () => Promise.reject(undefined)),
  t('returns_undefined', () => undefined),
  t('returns_bigint', () => ({ n: 10n })),
  t('returns_cycle', () => {
    const o: Record<string, unknown> = {};
    o.self = o;
    return o;
  }),
  t('returns_class', () => new Map([['a', 1]])),
  t('hangs_ignoring_signal', () => new Promise(() => {}), { timeout_ms: 50 }),
  t(
    'late_reject',
    () => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 80)),
    { timeout_ms: 20 },
  ),
  t('random', () => {
    if (Math.random() < 0.5) throw new Error('coin');
    return 1;
  }),
  t('fatal', () => {
    throw Object.assign(new Error('no retry'), { retryable: false });
  }),
];

describe('fault injection: every run ends with a typed result', () => {
  it.each(nasty.map((x) => x.name))('%s', async (name) => {
    const events: RunEvent[] = [];
    const r = await executePlan(
      { version: 1, nodes: [{ id: 'n', call: name, retry: { attempts: 2, delay_ms: 1 } }] },
      { tools: nasty, onEvent: (e) => events.push(e) },
    );
    expect(['succeeded', 'failed']).toContain(r.status);
    if (r.status === 'failed') {
      expect(typeof r.error.name).toBe('string');
      expect(typeof r.error.message).toBe('string');
      expect(r.error.node).toBe('n');
    }
    expect(events.at(-1)!.type).toBe('run.finished');
    // Bounded by its retry policy; a call past its timeout_ms ends as Timeout, not with what
    // it settles to later (a late rejection, or never): the run does not wait on the tool.
    expect(r.stats.toolCalls).toBeLessThanOrEqual(2);
    if (nasty.find((x) => x.name === name)?.timeout_ms !== undefined)
      expect(r).toMatchObject({ status: 'failed', error: { name: 'Timeout' } });
  });

  it('normalises outputs: undefined -> null, Map -> {}', async () => {
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          { id: 'u', call: 'returns_undefined' },
          { id: 'm', call: 'returns_class' },
        ],
      },
      { tools: nasty },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { u: null, m: {} } });
  });

  it('non-JSON output is InvalidOutput; non-Error throws are ToolError', async () => {
    const big = await executePlan(
      { version: 1, nodes: [{ id: 'b', call: 'returns_bigint' }] },
      { tools: nasty },
    );
    expect(big).toMatchObject({ status: 'failed', error: { name: 'InvalidOutput' } });
    const s = await executePlan(
      { version: 1, nodes: [{ id: 's', call: 'throws_string' }] },
      { tools: nasty },
    );
    expect(s).toMatchObject({
      status: 'failed',
      error: { name: 'ToolError', message: expect.stringContaining('a string') },
    });
  });

  it('a tool that ignores its signal cannot hold the run past its timeout', async () => {
    // None of the three calls ever settles: a run that waited on one would never end.
    const events: RunEvent[] = [];
    const r = await executePlan(
      {
        version: 1,
        nodes: [{ id: 'h', call: 'hangs_ignoring_signal', retry: { attempts: 3, delay_ms: 1 } }],
      },
      { tools: nasty, onEvent: (e) => events.push(e) },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'Timeout' } });
    expect(r.stats.toolCalls).toBe(3);
    // Each try ended by its own timeout, one after the other, and then the run.
    const tries = events.flatMap((e) =>
      e.type === 'node.attempt_failed' ? [`${e.attempt}:${e.error.name}`] : [],
    );
    expect(tries).toEqual(['1:Timeout', '2:Timeout', '3:Timeout']);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'failed' });
  });

  it('the tool signal aborts on timeout', async () => {
    let aborted: unknown;
    const tool = t(
      'obedient',
      (_a, ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = ctx.signal.reason;
            reject(ctx.signal.reason);
          });
        }),
    );
    const r = await executePlan(
      { version: 1, nodes: [{ id: 'o', call: 'obedient', timeout_ms: 30 }] },
      { tools: [tool] },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'Timeout' } });
    expect(aborted).toMatchObject({ name: 'Timeout' });
  });

  it('never retries an error marked not retryable', async () => {
    const r = await executePlan(
      { version: 1, nodes: [{ id: 'f', call: 'fatal', retry: { attempts: 5, delay_ms: 1 } }] },
      { tools: nasty },
    );
    expect(r).toMatchObject({ status: 'failed', stats: { toolCalls: 1 } });
  });

  it('a timeout on a non-call node bounds the whole node', async () => {
    const { tools } = makeTools();
    const events: RunEvent[] = [];
    const r = await executePlan(
      {
        version: 1,
        nodes: [{ id: 'm', timeout_ms: 50, map: [1, 2], do: [{ id: 'h', call: 'hang' }] }],
      },
      { tools, onEvent: (e) => events.push(e) },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'Timeout' } });
    // The hanging calls never settle, so only the node's timeout can have ended the map:
    // both were in flight and cancelled by it, and the map failed with it.
    const ended = events.flatMap((e) =>
      e.type === 'node.cancelled' || e.type === 'node.failed' ? [`${e.type} ${e.key}`] : [],
    );
    expect(ended.sort()).toEqual(['node.cancelled h/0', 'node.cancelled h/1', 'node.failed m']);
  });

  it('caller cancellation reaches running tools and ends the run cancelled', async () => {
    const { tools } = makeTools();
    const ac = new AbortController();
    let toolSignal: AbortSignal | undefined;
    const watch = t('watch', (_a, ctx) => {
      toolSignal = ctx.signal;
      return new Promise(() => {});
    });
    setTimeout(() => ac.abort(), 30);
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          { id: 'w', call: 'watch' },
          { id: 'h', call: 'hang' },
        ],
      },
      { tools: [...tools, watch], signal: ac.signal },
    );
    expect(r).toMatchObject({ status: 'cancelled', error: { name: 'Cancelled' } });
    expect(toolSignal?.aborted).toBe(true);
  });

  it('deadline_ms fails the run with BudgetExceeded', async () => {
    const { tools } = makeTools();
    const r = await executePlan(
      { version: 1, nodes: [{ id: 'h', call: 'hang' }], limits: { deadline_ms: 40 } },
      { tools },
    );
    expect(r).toMatchObject({
      status: 'failed',
      error: { name: 'BudgetExceeded', code: 'deadline_exceeded' },
    });
  });

  it('per-tool concurrency is respected', async () => {
    let inFlight = 0;
    let peak = 0;
    const one = t(
      'one',
      async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight -= 1;
        return null;
      },
      { concurrency: 2 },
    );
    const r = await executePlan(
      {
        version: 1,
        nodes: [{ id: 'm', map: [1, 2, 3, 4, 5, 6, 7, 8], do: [{ id: 'o', call: 'one' }] }],
      },
      { tools: [one] },
    );
    expect(r.status).toBe('succeeded');
    expect(peak).toBe(2);
  });

  it('random failures across a big fan-out always end typed', async () => {
    for (let k = 0; k < 5; k++) {
      const r = await executePlan(
        {
          version: 1,
          nodes: [
            {
              id: 'm',
              map: Array.from({ length: 50 }, (_, i) => i),
              tolerate: 0.3,
              do: [{ id: 'x', call: 'random', retry: { attempts: 2, delay_ms: 0 } }],
            },
          ],
        },
        { tools: nasty },
      );
      expect(['succeeded', 'failed']).toContain(r.status);
    }
  });

  it('invalid plans and bad options are failed results, not rejections', async () => {
    expect(await executePlan({ version: 2, nodes: [] }, { tools: [] })).toMatchObject({
      status: 'failed',
      error: { code: 'invalid_plan' },
    });
    expect(
      await executePlan({ version: 1, nodes: [] }, { tools: [{ name: 'x' } as unknown as Tool] }),
    ).toMatchObject({ status: 'failed', error: { name: 'ConfigError' } });
  });

  it('no unhandled rejection escaped any of the above', async () => {
    await new Promise((r) => setTimeout(r, 150));
    expect(unhandled).toEqual([]);
  });
});
