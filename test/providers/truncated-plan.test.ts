// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { afterEach, describe, expect, it } from 'vitest';
import { runTask } from '../../src/loop/run-task.ts';
import { compatibleChatStream } from '../../src/record/compatible-shapes.ts';
import { anthropicStream, openaiChatStream } from '../../src/record/wire-formats.ts';
import { type FakeLlm, planCall, startLlm } from '../loop/support/llm-server.ts';
import { shopTools } from '../loop/support/shop-tools.ts';

/**
 * A plan the output-token limit cut off (finish_reason "length", stop_reason "max_tokens") is
 * never run in part: the adapter reports the cut call as malformed and truncated, the loop
 * sends it back for repair like any invalid plan, and only the repaired plan runs.
 */

const plan = {
  version: 1,
  nodes: [
    { id: 'orders', call: 'get_orders', args: { user_id: 'u1' } },
    { id: 'total', call: 'calculate_total', args: { orders: '${orders}' } },
  ],
  output: '${total}',
  final: true,
};

/** The plan's JSON cut inside the second node: the first node is complete, the plan is not. */
const cut = JSON.stringify(plan).slice(0, JSON.stringify(plan).indexOf('calculate_total') + 6);

let llm: FakeLlm | undefined;
afterEach(async () => {
  await llm?.close();
  llm = undefined;
});

async function run(provider: 'openai' | 'anthropic', firstReply: string[]) {
  llm = await startLlm(provider);
  llm.server.enqueue({ stream: firstReply });
  llm.reply(planCall(plan));
  const shop = shopTools();
  const result = await runTask('What did u1 spend in total?', {
    model: llm.model,
    tools: shop.tools,
  });
  return { result, calls: shop.log.calls.map((c) => c.name), bodies: llm.bodies() };
}

const cutReply = { toolCalls: [{ name: 'submit_plan', args: cut }], finishReason: 'length' };

describe('a plan cut off by the output-token limit', () => {
  for (const [label, provider, stream] of [
    ['OpenAI', 'openai', openaiChatStream({ ...cutReply, chunkSize: 16 })],
    ['Qwen shape', 'openai', compatibleChatStream({ ...cutReply, chunkSize: 16 }, 'qwen')],
    [
      'Anthropic',
      'anthropic',
      anthropicStream({ ...cutReply, finishReason: 'max_tokens', chunkSize: 16 }),
    ],
  ] as const) {
    it(`${label}: is repaired, and only the repaired plan runs`, async () => {
      const { result, calls, bodies } = await run(provider, [...stream]);
      expect(result.error).toBeUndefined();
      expect(result.status).toBe('answered');
      expect(result.usage.llmCalls).toBe(2);
      // calculate_total (cut mid-name) ran once, for the repaired plan. The cut plan's one
      // complete node may have been prefetched while it streamed (read-only calls only, by
      // design; a prefetch of a plan that turns out invalid is dropped), never more.
      expect(calls.filter((c) => c === 'calculate_total')).toHaveLength(1);
      expect(calls.filter((c) => c === 'get_orders').length).toBeLessThanOrEqual(2);
      // The repair request carries the cut text back to the model.
      const repair = JSON.stringify(bodies[1]);
      expect(repair).toContain('calculate_');
    });
  }
});
