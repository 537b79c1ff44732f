import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ToolError } from '../../src/errors/runtime-errors.ts';
import { executePlan, MemoryJournalStore, type RunEvent, resumeRun } from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';

/**
 * A node's tries are journaled, so a resume goes on counting: `retry.attempts` bounds the
 * calls over every resume together, and `ctx.attempt` never starts again at 1.
 */
const plan = (delay = 0) => ({
  version: 1,
  nodes: [{ id: 'c', call: 'flaky', args: {}, retry: { attempts: 3, delay_ms: delay } }],
});

function flaky(seen: number[], behave: (attempt: number) => unknown): Tool {
  return {
    name: 'flaky',
    description: 'fails as told',
    inputSchema: z.object({}),
    execute: (_args, ctx) => {
      seen.push(ctx.attempt);
      return behave(ctx.attempt);
    },
  };
}

const fail = () => {
  throw new ToolError('down', { retryable: true });
};

describe('retries across resumes', () => {
  it('a try in flight when the run stopped runs again with its own number, then the count goes on', async () => {
    const store = new MemoryJournalStore();
    const seen: number[] = [];
    const stop = new AbortController();
    const first = await executePlan(plan(), {
      store,
      runId: 'r1',
      signal: stop.signal,
      tools: [
        flaky(seen, (attempt) => {
          if (attempt === 1) fail();
          stop.abort();
          return new Promise(() => {});
        }),
      ],
    });
    expect(first.status).toBe('cancelled');
    expect(seen).toEqual([1, 2]);
    const again = await resumeRun('r1', {
      store,
      tools: [flaky(seen, (attempt) => (attempt === 2 ? fail() : { ok: attempt }))],
    });
    expect(again).toMatchObject({ status: 'succeeded', output: { c: { ok: 3 } } });
    expect(seen).toEqual([1, 2, 2, 3]);
  });

  it('stopped in the backoff after the tries are spent but one: the resume makes the last, once', async () => {
    const store = new MemoryJournalStore();
    const seen: number[] = [];
    const stop = new AbortController();
    const onEvent = (e: RunEvent) => {
      if (e.type === 'node.attempt_failed' && e.attempt === 2) stop.abort();
    };
    const first = await executePlan(plan(60_000), {
      store,
      runId: 'r2',
      signal: stop.signal,
      onEvent,
      tools: [flaky(seen, fail)],
    });
    expect(first.status).toBe('cancelled');
    expect(seen).toEqual([1, 2]);
    const again = await resumeRun('r2', { store, tools: [flaky(seen, fail)] });
    expect(again.status).toBe('failed');
    expect(seen).toEqual([1, 2, 3]);
    // Resumed once more: the tries are spent, the tool is not called again.
    const events = await store.read('r2');
    expect(events.filter((e) => e.type === 'node.attempt_failed')).toHaveLength(3);
  });

  it('tries spent before a stop: the resume fails the node without calling the tool', async () => {
    const store = new MemoryJournalStore();
    const seen: number[] = [];
    const stop = new AbortController();
    // The run stops right after the last try failed, before the node's end is journaled.
    const onEvent = (e: RunEvent) => {
      if (e.type === 'node.attempt_failed' && e.attempt === 3) stop.abort();
    };
    const first = await executePlan(
      { version: 1, nodes: [{ id: 'c', call: 'flaky', args: {}, retry: { attempts: 3 } }] },
      { store, runId: 'r3', signal: stop.signal, onEvent, tools: [flaky(seen, fail)] },
    );
    expect(first.status).toBe('cancelled');
    expect(seen).toEqual([1, 2, 3]);
    const again = await resumeRun('r3', { store, tools: [flaky(seen, fail)] });
    expect(again).toMatchObject({ status: 'failed', error: { name: 'ToolError' } });
    expect(seen).toEqual([1, 2, 3]);
  });
});
