// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executePlan, type RunEvent } from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';

/** `race`: first success wins and losers are really cancelled; `best` by score; AllFailed. */

interface Seen {
  started: string[];
  aborted: Map<string, unknown>;
  finished: string[];
}

/** Waits `ms`, then returns `{ name, score }` or throws when `fail`; records its signal. */
function racer(seen: Seen): Tool {
  return {
    name: 'racer',
    description: 'waits, then answers or fails; honours its signal',
    inputSchema: z.object({
      name: z.string(),
      ms: z.number(),
      fail: z.boolean().optional(),
      score: z.number().optional(),
    }),
    execute: ({ name, ms, fail, score }, ctx) => {
      seen.started.push(name);
      return new Promise((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(t);
          seen.aborted.set(name, ctx.signal.reason);
          reject(ctx.signal.reason);
        };
        const t = setTimeout(() => {
          ctx.signal.removeEventListener('abort', onAbort);
          seen.finished.push(name);
          if (fail) reject(new Error(`${name} failed`));
          else resolve({ name, score: score ?? 0 });
        }, ms);
        ctx.signal.addEventListener('abort', onAbort);
      });
    },
  };
}

const newSeen = (): Seen => ({ started: [], aborted: new Map(), finished: [] });
const branch = (name: string, ms: number, extra: Record<string, unknown> = {}) => ({
  id: name,
  call: 'racer',
  args: { name, ms, ...extra },
});

describe('race pick first', () => {
  it('the first success wins; every loser sees its signal aborted and is journaled cancelled', async () => {
    const seen = newSeen();
    const events: RunEvent[] = [];
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'r',
            race: [branch('slow', 3000), branch('fast', 5), branch('slower', 4000)],
          },
        ],
      },
      { tools: [racer(seen)], onEvent: (e) => events.push(e) },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { r: { name: 'fast' } } });
    expect(seen.started.sort()).toEqual(['fast', 'slow', 'slower']);
    expect([...seen.aborted.keys()].sort()).toEqual(['slow', 'slower']);
    for (const reason of seen.aborted.values()) expect(reason).toMatchObject({ name: 'Cancelled' });
    expect(seen.finished).toEqual(['fast']);
    const cancelled = events.filter((e) => e.type === 'node.cancelled').map((e) => e.key);
    expect(cancelled.sort()).toEqual(['slow', 'slower']);
  });

  it('a failure does not win: a later success does', async () => {
    const seen = newSeen();
    const r = await executePlan(
      {
        version: 1,
        nodes: [{ id: 'r', race: [branch('bad', 1, { fail: true }), branch('good', 30)] }],
      },
      { tools: [racer(seen)] },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { r: { name: 'good' } } });
    expect(seen.aborted.size).toBe(0);
  });

  it('every branch failing is AllFailed, listing each branch error', async () => {
    const seen = newSeen();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'r',
            race: [branch('a', 1, { fail: true }), branch('b', 5, { fail: true })],
          },
        ],
      },
      { tools: [racer(seen)] },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'AllFailed' } });
    if (r.status !== 'failed') return;
    expect(r.error.message).toContain('a failed');
    expect(r.error.message).toContain('b failed');
    const errors = (r.error.details as { errors: Array<{ node: string; name: string }> }).errors;
    expect(errors.map((e) => [e.node, e.name])).toEqual([
      ['a', 'ToolError'],
      ['b', 'ToolError'],
    ]);
  });

  it('AllFailed can be caught by an enclosing try', async () => {
    const seen = newSeen();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 't',
            try: [{ id: 'r', race: [branch('a', 1, { fail: true })] }],
            catch: [{ id: 'c', value: '${error.name}' }],
          },
        ],
      },
      { tools: [racer(seen)] },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { t: 'AllFailed' } });
  });

  it('a branch may be any node kind (value, map)', async () => {
    const seen = newSeen();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'r',
            race: [
              branch('slow', 2000),
              { id: 'm', map: [1, 2], do: [{ id: 'x', value: '${item * 3}' }] },
            ],
          },
        ],
      },
      { tools: [racer(seen)] },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { r: [3, 6] } });
    expect(seen.aborted.has('slow')).toBe(true);
  });

  it('cancelling the run while a race is in flight reaches every branch', async () => {
    const seen = newSeen();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const r = await executePlan(
      { version: 1, nodes: [{ id: 'r', race: [branch('a', 3000), branch('b', 3000)] }] },
      { tools: [racer(seen)], signal: ac.signal },
    );
    expect(r.status).toBe('cancelled');
    expect([...seen.aborted.keys()].sort()).toEqual(['a', 'b']);
  });
});

describe('race pick best', () => {
  it('waits for every branch and returns the highest score, with `result` in scope', async () => {
    const seen = newSeen();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'r',
            pick: 'best',
            score: '${result.score}',
            race: [
              branch('low', 1, { score: 1 }),
              branch('high', 30, { score: 9.5 }),
              branch('mid', 10, { score: 5 }),
              branch('broken', 2, { fail: true }),
            ],
          },
        ],
      },
      { tools: [racer(seen)] },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { r: { name: 'high', score: 9.5 } } });
    expect(seen.aborted.size).toBe(0);
    expect(seen.finished.sort()).toEqual(['broken', 'high', 'low', 'mid']);
  });

  it('the score may read outer nodes besides `result`', async () => {
    const seen = newSeen();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          { id: 'target', value: 5 },
          {
            id: 'r',
            pick: 'best',
            score: '${0 - abs(result.score - target)}',
            race: [
              branch('a', 1, { score: 1 }),
              branch('b', 1, { score: 6 }),
              branch('c', 1, { score: 10 }),
            ],
          },
        ],
        output: '${r.name}',
      },
      { tools: [racer(seen)] },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: 'b' });
  });

  it('a score that is not a number fails with ExpressionError', async () => {
    const seen = newSeen();
    const r = await executePlan(
      {
        version: 1,
        nodes: [{ id: 'r', pick: 'best', score: '${result.name}', race: [branch('a', 1)] }],
      },
      { tools: [racer(seen)] },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'ExpressionError' } });
  });

  it('every branch failing is AllFailed with pick best too', async () => {
    const seen = newSeen();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'r',
            pick: 'best',
            score: '${result.score}',
            race: [branch('a', 1, { fail: true }), branch('b', 1, { fail: true })],
          },
        ],
      },
      { tools: [racer(seen)] },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'AllFailed' } });
  });

  it('ties keep the first branch in list order', async () => {
    const seen = newSeen();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'r',
            pick: 'best',
            score: '${result.score}',
            race: [branch('later_in_time', 20, { score: 3 }), branch('earlier', 1, { score: 3 })],
          },
        ],
      },
      { tools: [racer(seen)] },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { r: { name: 'later_in_time' } } });
  });
});
