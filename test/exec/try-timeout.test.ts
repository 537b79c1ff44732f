// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  executePlan,
  foldEvents,
  MemoryJournalStore,
  type RunEvent,
  resumeRun,
} from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';
import { pause } from '../reliability/support/pause.ts';

/**
 * A node's `timeout_ms` aborts its work, but the node settles only once that work has:
 * a `try` timed out while its body's compensations run waits for them (the saga rule:
 * only the run's stop signal ends compensations), so none outlives the node or the run.
 */

function world(refundMs: number) {
  const log: string[] = [];
  const t = (name: string, fn: (a: Record<string, unknown>) => unknown): Tool => ({
    name,
    description: name,
    inputSchema: z.object({}).passthrough(),
    execute: (args: Record<string, unknown>) => fn(args),
  });
  const tools = [
    t('charge', (a) => {
      log.push(`charge ${a.what}`);
      return { id: `ch_${a.what}` };
    }),
    t('fail', () => {
      throw new Error('declined');
    }),
    // A refund slower than the try's timeout; it ignores the signal, as a payment API might.
    t('refund', async (a) => {
      log.push(`refund start ${a.id}`);
      await new Promise((r) => setTimeout(r, refundMs));
      log.push(`refund done ${a.id}`);
      return { ok: true };
    }),
  ];
  return { tools, log };
}

const charge = (id: string) => ({
  id,
  call: 'charge',
  args: { what: id },
  compensate: { call: 'refund', args: { id: `\${${id}.id}` } },
});

describe('try with timeout_ms: compensations in flight when it times out', () => {
  it('the run ends after every refund finished, each applied once, journaled before run.finished', async () => {
    const { tools, log } = world(120);
    const events: RunEvent[] = [];
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 't',
            timeout_ms: 40,
            try: [charge('a'), charge('b'), { id: 'x', after: ['a', 'b'], call: 'fail' }],
          },
        ],
      },
      { tools, onEvent: (e) => events.push(e) },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'Timeout' } });
    // When the result comes, both refunds have finished (none still runs in the background).
    const refunds = () => log.filter((l) => l.startsWith('refund'));
    expect(refunds().sort()).toEqual([
      'refund done ch_a',
      'refund done ch_b',
      'refund start ch_a',
      'refund start ch_b',
    ]);
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'compensation.started')).toHaveLength(2);
    expect(types.filter((t) => t === 'compensation.finished')).toHaveLength(2);
    expect(types.lastIndexOf('compensation.finished')).toBeLessThan(types.indexOf('run.finished'));
    const state = foldEvents(events);
    expect(state.nodes.get('a')?.status).toBe('compensated');
    expect(state.nodes.get('b')?.status).toBe('compensated');
    expect(state.nodes.get('t')?.status).toBe('failed');
    // Nothing is applied later either (not once more by the run's saga).
    await new Promise((res) => setTimeout(res, 200));
    expect(refunds()).toHaveLength(4);
  });

  it('the stop signal ends them: the run is cancelled, unfinished, and resume finishes each once', async () => {
    const applied: string[] = [];
    const stop = new AbortController();
    let started = 0;
    const tools: Tool[] = [
      {
        name: 'charge',
        description: 'charge',
        inputSchema: z.object({ what: z.string() }),
        execute: (a: { what: string }) => ({ id: `ch_${a.what}` }),
      },
      {
        name: 'fail',
        description: 'fail',
        inputSchema: z.object({}),
        execute: () => {
          throw new Error('declined');
        },
      },
      {
        name: 'refund',
        description: 'refund',
        inputSchema: z.object({ id: z.string() }),
        // The second refund begins after the try's timeout: the stop comes then.
        execute: async (a: { id: string }, ctx) => {
          started += 1;
          if (started === 2) setTimeout(() => stop.abort(), 10);
          await pause(60, ctx.signal);
          applied.push(a.id);
          return {};
        },
      },
    ];
    const plan = {
      version: 1,
      nodes: [
        {
          id: 't',
          timeout_ms: 30,
          try: [charge('a'), charge('b'), { id: 'x', after: ['a', 'b'], call: 'fail' }],
        },
      ],
    };
    const store = new MemoryJournalStore();
    const r = await executePlan(plan, { tools, store, runId: 'tt', stopSignal: stop.signal });
    expect(r.status).toBe('cancelled');
    // When the result comes, the stopped refund is not applied later on (it was stopped).
    expect(applied).toHaveLength(1);
    await new Promise((res) => setTimeout(res, 150));
    expect(applied).toHaveLength(1);
    expect((await store.read('tt')).some((e) => e.type === 'run.finished')).toBe(false);

    const resumed = await resumeRun('tt', { tools, store });
    expect(resumed).toMatchObject({ status: 'failed' });
    expect([...applied].sort()).toEqual(['ch_a', 'ch_b']);
    const events = await store.read('tt');
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'run.finished')).toHaveLength(1);
    expect(types.lastIndexOf('compensation.finished')).toBeLessThan(types.indexOf('run.finished'));
  });
});
