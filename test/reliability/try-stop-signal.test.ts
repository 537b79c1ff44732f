// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
/**
 * `stopSignal` alone (the library's way, with no Ctrl-C before it) stops a `try` body's
 * compensations and leaves the run resumable: the `try` is not journaled as failed with
 * the stop, so `resumeRun` finishes the compensations and goes on to `catch`.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executePlan, MemoryJournalStore, resumeRun } from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';
import { pause } from './support/pause.ts';

function tools(onRefund: () => void) {
  const refunded: string[] = [];
  const list: Tool[] = [
    {
      name: 'charge',
      description: 'charges',
      inputSchema: z.object({ amount: z.number() }),
      execute: (a: { amount: number }) => ({ id: `ch_${a.amount}` }),
    },
    {
      name: 'refund',
      description: 'refunds',
      inputSchema: z.object({ id: z.string() }),
      execute: async (a: { id: string }, ctx) => {
        onRefund();
        await pause(20, ctx.signal);
        refunded.push(a.id);
        return {};
      },
    },
  ];
  return { list, refunded };
}

const charged = (id: string, amount: number, after?: string) => ({
  id,
  call: 'charge',
  args: { amount },
  ...(after ? { after: [after] } : {}),
  compensate: { call: 'refund', args: { id: `\${${id}.id}` } },
});
const plan = {
  version: 1,
  nodes: [
    {
      id: 't',
      try: [
        charged('c1', 1),
        charged('c2', 2, 'c1'),
        { id: 'boom', after: ['c2'], fail: 'refused' },
      ],
      catch: [{ id: 'h', value: '${error.node}' }],
    },
  ],
  output: '${t}',
};

describe('stopSignal stops a try body compensating, and resume finishes it', () => {
  it('stopped at the first refund: cancelled, not failed; resume refunds the rest and catches', async () => {
    const store = new MemoryJournalStore();
    const stop = new AbortController();
    let steps: number[] = [];
    const first = tools(() => stop.abort());
    const r = await executePlan(plan, {
      tools: first.list,
      store,
      runId: 'ts',
      stopSignal: stop.signal,
      onCompensating: (n) => steps.push(n),
    });
    expect(r.status).toBe('cancelled');
    expect(first.refunded).toEqual([]);
    expect(steps).toEqual([2, 0]);
    const events = await store.read('ts');
    expect(events.some((e) => e.type === 'run.finished')).toBe(false);
    expect(events.some((e) => e.type === 'node.failed' && e.key === 't')).toBe(false);

    steps = [];
    const second = tools(() => {});
    const resumed = await resumeRun('ts', {
      tools: second.list,
      store,
      onCompensating: (n) => steps.push(n),
    });
    expect(resumed).toMatchObject({ status: 'succeeded', output: 'boom' });
    expect(second.refunded).toEqual(['ch_2', 'ch_1']);
    expect(steps).toEqual([2, 0]);
  });
});
