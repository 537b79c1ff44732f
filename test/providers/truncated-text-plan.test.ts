// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { afterEach, describe, expect, it } from 'vitest';
import { PlanInvalidError } from '../../src/loop/loop-errors.ts';
import { runTask } from '../../src/loop/run-task.ts';
import { anthropicStream, openaiChatStream } from '../../src/record/wire-formats.ts';
import { type FakeLlm, startLlm } from '../loop/support/llm-server.ts';
import { FAN_OUT_COMPACT } from '../loop/support/plans.ts';
import { shopTools } from '../loop/support/shop-tools.ts';

/**
 * A plan written as text that the output-token limit cut off at a line boundary still parses,
 * as a shorter plan. It is never run: the loop reads the finish reason ("length", Anthropic's
 * "max_tokens") and sends the plan back for repair with a `truncated` issue.
 */

const lines = FAN_OUT_COMPACT;
const full = lines.join('\n');
/** Cut after the fourth line: it parses, and without `final` it would run and then join. */
const cut = `${lines.slice(0, 4).join('\n')}\n`;

let llm: FakeLlm | undefined;
afterEach(async () => {
  await llm?.close();
  llm = undefined;
});

const usage = { inputTokens: 300, outputTokens: 40 };

function stream(provider: 'openai' | 'anthropic', text: string, truncated: boolean): string[] {
  if (provider === 'openai')
    return openaiChatStream({
      text,
      usage,
      chunkSize: 16,
      ...(truncated ? { finishReason: 'length' } : {}),
    });
  return anthropicStream({
    text,
    usage,
    chunkSize: 16,
    ...(truncated ? { finishReason: 'max_tokens' } : {}),
  });
}

/** The fan-out task in compact syntax; no read-only call starts early, so calls are exact. */
async function runCompact(model: FakeLlm, maxRepairs?: number) {
  const shop = shopTools();
  const result = await runTask('What did u1, u2 and u3 spend in total?', {
    model: model.model,
    tools: shop.tools,
    syntax: 'compact',
    prefetch: false,
    ...(maxRepairs === undefined ? {} : { maxRepairs }),
  });
  return { result, shop };
}

describe('a text plan cut off by the output-token limit', () => {
  for (const provider of ['openai', 'anthropic'] as const) {
    it(`${provider}: is repaired, and only the repaired plan runs`, async () => {
      llm = await startLlm(provider);
      llm.server.enqueue({ stream: stream(provider, cut, true) });
      llm.server.enqueue({ stream: stream(provider, full, false) });
      const { result, shop } = await runCompact(llm);
      expect(result.error).toBeUndefined();
      expect(result).toMatchObject({ status: 'answered', answer: 'They spent 36.75 in 4 orders' });
      expect(result.usage.llmCalls).toBe(2);
      // Every reply reported its usage: nothing is marked estimated.
      expect(result.usage.estimated).toBeUndefined();
      expect(result.plans).toHaveLength(1);
      expect(shop.log.calls.map((c) => c.name).sort()).toEqual([
        'calculate_total',
        'get_orders',
        'get_orders',
        'get_orders',
      ]);
      const repair = JSON.stringify(llm.bodies()[1]);
      expect(repair).toContain('output-token limit');
      expect(repair).toContain('shorter plan');
    });
  }

  it('after the repair budget the task fails typed, and nothing runs', async () => {
    llm = await startLlm();
    llm.server.enqueue({ stream: stream('openai', cut, true) });
    llm.server.enqueue({ stream: stream('openai', cut, true) });
    const { result, shop } = await runCompact(llm, 1);
    expect(result.status).toBe('failed');
    expect(result.error).toBeInstanceOf(PlanInvalidError);
    expect((result.error as PlanInvalidError).issues.map((i) => i.code)).toEqual(['truncated']);
    expect(result.plans).toHaveLength(0);
    expect(shop.log.calls).toHaveLength(0);
    expect(result.usage.llmCalls).toBe(2);
  });

  it('a JSON plan written as text and cut is repaired too', async () => {
    const plan = {
      version: 1,
      nodes: [{ id: 'orders', call: 'get_orders', args: { user_id: 'u1' } }],
      output: '${orders}',
      final: true,
    };
    llm = await startLlm();
    // Complete JSON that still says "length": the server stopped it, so it is not trusted.
    llm.server.enqueue({ stream: stream('openai', JSON.stringify(plan), true) });
    llm.server.enqueue({
      stream: openaiChatStream({ toolCalls: [{ name: 'submit_plan', args: plan }], usage }),
    });
    const shop = shopTools();
    const result = await runTask('What did u1 order?', {
      model: llm.model,
      tools: shop.tools,
      prefetch: false,
    });
    expect(result.status).toBe('answered');
    expect(result.usage.llmCalls).toBe(2);
    expect(shop.log.calls.map((c) => c.name)).toEqual(['get_orders']);
  });
});

describe('usage the server did not report', () => {
  /** The OpenAI stream without its usage chunk (the one with empty `choices`). */
  const withoutUsage = (events: string[]) => events.filter((e) => !e.includes('"choices":[]'));

  it('is flagged estimated in the task usage, and summed with reported usage', async () => {
    llm = await startLlm();
    llm.server.enqueue({ stream: withoutUsage(stream('openai', cut, true)) });
    llm.server.enqueue({ stream: stream('openai', full, false) });
    const { result } = await runCompact(llm);
    expect(result.status).toBe('answered');
    expect(result.usage.estimated).toBe(true);
    expect(result.usage.outputTokens).toBeGreaterThan(usage.outputTokens);
  });

  it('is flagged in react mode too', async () => {
    llm = await startLlm();
    llm.server.enqueue({ stream: withoutUsage(openaiChatStream({ text: 'Nothing to look up.' })) });
    const result = await runTask('Say hi', {
      model: llm.model,
      tools: shopTools().tools,
      mode: 'react',
    });
    expect(result).toMatchObject({ status: 'answered', answer: 'Nothing to look up.' });
    expect(result.usage.estimated).toBe(true);
  });
});
