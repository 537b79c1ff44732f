// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executePlan } from '../../src/exec/index.ts';
import { SLICE_MS } from '../../src/exec/time-slice.ts';
import type { Tool } from '../../src/tool/tool.ts';

/** Synchronous work that outlasts a time slice, so the scheduler must yield after it. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin: a tool that computes without ever awaiting
  }
}

describe('the scheduler yields to the event loop during long synchronous work', () => {
  it('a cancellation queued on the event loop lands between synchronous nodes', async () => {
    let calls = 0;
    const crunch: Tool = {
      name: 'crunch',
      description: 'synchronous work, longer than a time slice',
      inputSchema: z.object({ n: z.number() }),
      execute: (args: { n: number }) => {
        calls += 1;
        busy(SLICE_MS + 5);
        return { n: args.n };
      },
    };
    const controller = new AbortController();
    // Only runs once the event loop turns: before the fix, after all 40 items.
    setImmediate(() => controller.abort());
    const result = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'm',
            map: '${input.items}',
            concurrency: 1,
            do: [{ id: 'x', call: 'crunch', args: { n: '${item}' } }],
          },
        ],
      },
      {
        tools: [crunch],
        input: { items: Array.from({ length: 40 }, (_, i) => i) },
        signal: controller.signal,
      },
    );
    expect(result.status).toBe('cancelled');
    expect(calls).toBeLessThan(40);
  });
});
