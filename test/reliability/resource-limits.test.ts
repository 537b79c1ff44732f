// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executePlan } from '../../src/exec/index.ts';
import { runTask } from '../../src/loop/run-task.ts';
import { ScriptedModel, textResponse, toolCallsResponse } from '../../src/model/index.ts';
import type { Tool } from '../../src/tool/tool.ts';

/** Plans that try to exhaust the run: each limit holds, and the run ends with a typed error. */

function counter() {
  let calls = 0;
  const tool: Tool = {
    name: 'tick',
    description: 'counts calls',
    inputSchema: z.object({}).passthrough(),
    execute: () => ({ n: ++calls }),
  };
  const big: Tool = {
    name: 'big',
    description: 'returns 5 MB of text',
    inputSchema: z.object({}),
    execute: () => ({
      text: 'x'.repeat(5_000_000),
      items: Array.from({ length: 50_000 }, (_, i) => i),
    }),
  };
  return { tools: [tool, big], calls: () => calls };
}

describe('resource limits against hostile plans', () => {
  it('fan-out: a map over 100,000 items with max_tool_calls 100 stops at 100 calls, quickly', async () => {
    const c = counter();
    const t0 = performance.now();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'xs',
            value:
              '${ [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(a, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(b, a * 10 + b)) }',
          },
          { id: 'ys', value: '${ input.items }' },
          {
            id: 'm',
            map: '${ys}',
            concurrency: 64,
            do: [{ id: 't', call: 'tick', args: { i: '${item}' } }],
          },
        ],
      },
      {
        tools: c.tools,
        input: { items: Array.from({ length: 100_000 }, (_, i) => i) },
        limits: { max_tool_calls: 100, max_items: 100_000 },
      },
    );
    const ms = performance.now() - t0;
    console.log(
      `RELIABILITY-FIGURES fanout ${JSON.stringify({ items: 100_000, calls: c.calls(), ms: Math.round(ms) })}`,
    );
    expect(r.status).toBe('failed');
    expect(r.status === 'failed' && r.error.name).toBe('BudgetExceeded');
    expect(c.calls()).toBeLessThanOrEqual(100);
    expect(ms).toBeLessThan(10_000);
  });

  it('a plan cannot loosen the caller limits', async () => {
    const c = counter();
    const r = await executePlan(
      {
        version: 1,
        limits: { max_tool_calls: 1_000_000 },
        nodes: [{ id: 'm', map: '${input.items}', do: [{ id: 't', call: 'tick', args: {} }] }],
      },
      {
        tools: c.tools,
        input: { items: Array.from({ length: 500 }, (_, i) => i) },
        limits: { max_tool_calls: 10 },
      },
    );
    expect(r.status === 'failed' && r.error.name).toBe('BudgetExceeded');
    expect(c.calls()).toBeLessThanOrEqual(10);
  });

  it('loops: `while true` stops at max_iterations', async () => {
    const c = counter();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'l',
            loop: [{ id: 't', call: 'tick', args: {} }],
            while: '${true}',
            max_iterations: 7,
          },
        ],
      },
      { tools: c.tools },
    );
    expect(['succeeded', 'failed']).toContain(r.status);
    expect(c.calls()).toBe(7);
  });

  it('deadline_ms: a run that waits forever ends at its deadline with BudgetExceeded', async () => {
    const t0 = performance.now();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          { id: 'w', wait_ms: 3_600_000 },
          { id: 'l', loop: [{ id: 'z', wait_ms: 1_000 }], while: '${true}', max_iterations: 1000 },
        ],
      },
      { tools: [], limits: { deadline_ms: 200 } },
    );
    const ms = performance.now() - t0;
    expect(r.status === 'failed' && r.error.name).toBe('BudgetExceeded');
    expect(ms).toBeLessThan(5_000);
  });

  it('output fed back to the LLM is cut to the resultChars budget', async () => {
    const c = counter();
    const model = new ScriptedModel([
      toolCallsResponse([
        { name: 'submit_plan', args: { version: 1, nodes: [{ id: 'b', call: 'big', args: {} }] } },
      ]),
      textResponse('It is long.'),
    ]);
    const r = await runTask('How long is it?', {
      model,
      tools: c.tools,
      resultChars: 2_000,
      prefetch: false,
    });
    expect(r.status).toBe('answered');
    const join = JSON.stringify(model.requests[1]!.messages.at(-1));
    // The 5 MB result reached the LLM as at most the budget plus the prompt's own text.
    expect(join.length).toBeLessThan(2_000 + 6_000);
    const total = JSON.stringify(model.requests[1]!.messages).length;
    console.log(
      `RELIABILITY-FIGURES output-cut ${JSON.stringify({ resultBytes: 5_000_000 + 300_000, joinMessageChars: join.length, requestChars: total })}`,
    );
    expect(total).toBeLessThan(50_000);
  });

  it('react mode: a 5 MB tool result is cut too', async () => {
    const c = counter();
    const model = new ScriptedModel([
      toolCallsResponse([{ name: 'big', args: {} }]),
      textResponse('It is long.'),
    ]);
    const r = await runTask('How long is it?', {
      model,
      tools: c.tools,
      mode: 'react',
      resultChars: 2_000,
    });
    expect(r.status).toBe('answered');
    expect(JSON.stringify(model.requests[1]!.messages).length).toBeLessThan(50_000);
  });
});
