// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { afterEach, describe, expect, it } from 'vitest';
import { isToolplanError } from '../../src/errors/toolplan-error.ts';
import { runTask } from '../../src/loop/run-task.ts';
import { AnthropicModel } from '../../src/providers/anthropic.ts';
import { OpenAIModel } from '../../src/providers/openai.ts';
import {
  anthropicError,
  anthropicStream,
  openaiChatStream,
  openaiError,
  type WireStreamReply,
} from '../../src/record/wire-formats.ts';
import {
  startWireServer,
  type WireResponse,
  type WireServer,
} from '../../src/record/wire-server.ts';
import { createBundledWorld } from '../../tools/index.ts';

/**
 * Provider faults in the middle of the plan loop, through the real SDKs over HTTP on
 * 127.0.0.1: rate limits (429), overload (529), streams cut mid-way. The task ends answered
 * or failed with a typed error, and its budgets (LLM calls, tokens) still hold.
 */

let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

type Provider = 'openai' | 'anthropic';
const PLAN = {
  version: 1,
  nodes: [{ id: 'user', call: 'get_user', args: { user_id: 'u1' } }],
  output: 'The user is ${user.name}',
  final: true,
};
const planReply: WireStreamReply = {
  toolCalls: [{ name: 'submit_plan', args: PLAN }],
  usage: { inputTokens: 400, outputTokens: 60 },
};

function model(p: Provider, s: WireServer, maxRetries: number) {
  return p === 'openai'
    ? new OpenAIModel({
        baseURL: `${s.origin}/v1`,
        apiKey: 'sk-test',
        maxRetries,
        model: 'gpt-4.1-mini',
      })
    : new AnthropicModel({
        baseURL: s.origin,
        apiKey: 'sk-ant-test',
        maxRetries,
        model: 'claude-sonnet-4-5',
      });
}
const stream = (p: Provider, r: WireStreamReply) =>
  p === 'openai' ? openaiChatStream(r) : anthropicStream(r);
const rateLimited = (p: Provider): WireResponse => ({
  status: 429,
  headers: { 'retry-after': '0' },
  json:
    p === 'openai'
      ? openaiError('Rate limit reached', 'rate_limit_error')
      : anthropicError('rate_limit_error', 'Rate limited'),
});
const overloaded = (p: Provider): WireResponse => ({
  status: 529,
  headers: { 'retry-after': '0' },
  json:
    p === 'openai'
      ? openaiError('Overloaded', 'server_error')
      : anthropicError('overloaded_error', 'Overloaded'),
});

for (const p of ['openai', 'anthropic'] as const) {
  describe(`${p}: faults during the loop`, () => {
    it('429 then 529, retried by the SDK: the task is answered, one LLM call counted', async () => {
      server = await startWireServer();
      server.enqueue(rateLimited(p), overloaded(p), { stream: stream(p, planReply) });
      const world = createBundledWorld();
      const r = await runTask('Who is u1?', {
        model: model(p, server, 3),
        tools: world.tools,
        prefetch: false,
      });
      expect(r.error).toBeUndefined();
      expect(r).toMatchObject({ status: 'answered', answer: 'The user is Ada' });
      expect(r.usage.llmCalls).toBe(1);
    });

    it('429s that outlast the retries: a typed failure, and the LLM-call budget held', async () => {
      server = await startWireServer({ handler: () => rateLimited(p) });
      const world = createBundledWorld();
      const r = await runTask('Who is u1?', {
        model: model(p, server, 1),
        tools: world.tools,
        budgets: { maxLlmCalls: 2 },
        prefetch: false,
      });
      expect(r.status).toBe('failed');
      expect(isToolplanError(r.error)).toBe(true);
      expect(r.error!.code).toMatch(/rate_limited|budget_exceeded|provider/);
      expect(r.usage.llmCalls).toBeLessThanOrEqual(2);
      expect(r.toolCalls).toEqual([]);
    });

    it('a stream cut mid-reply: a typed ProviderError, no tool ran', async () => {
      server = await startWireServer();
      server.enqueue({ stream: stream(p, planReply), cutAfter: 2 });
      const world = createBundledWorld();
      const r = await runTask('Who is u1?', {
        model: model(p, server, 0),
        tools: world.tools,
        prefetch: false,
      });
      expect(r.status).toBe('failed');
      expect(isToolplanError(r.error)).toBe(true);
      expect(r.error!.message).toMatch(/cut|interrupted|closed|terminated/i);
      expect(r.toolCalls).toEqual([]);
    });

    it('streams cut every time: a typed failure, budgets held', async () => {
      server = await startWireServer({
        handler: () => ({ stream: stream(p, planReply), cutAfter: 1 }),
      });
      const world = createBundledWorld();
      const r = await runTask('Who is u1?', {
        model: model(p, server, 1),
        tools: world.tools,
        budgets: { maxLlmCalls: 3, maxOutputTokens: 1_000 },
        prefetch: false,
      });
      expect(r.status).toBe('failed');
      expect(isToolplanError(r.error)).toBe(true);
      expect(r.usage.llmCalls).toBeLessThanOrEqual(3);
      expect(r.usage.outputTokens).toBeLessThanOrEqual(1_000);
      expect(world.scenario.deleteEverythingRuns).toBe(0);
    });

    it('faults on the join call after tools ran: the token budget still counts every reply', async () => {
      server = await startWireServer();
      const plan = {
        version: 1,
        nodes: [{ id: 'user', call: 'get_user', args: { user_id: 'u1' } }],
      };
      server.enqueue(
        {
          stream: stream(p, {
            toolCalls: [{ name: 'submit_plan', args: plan }],
            usage: { inputTokens: 400, outputTokens: 60 },
          }),
        },
        overloaded(p),
        {
          stream: stream(p, { text: 'Ada', usage: { inputTokens: 500, outputTokens: 12 } }),
          cutAfter: 1,
        },
        {
          stream: stream(p, {
            text: 'The user is Ada.',
            usage: { inputTokens: 500, outputTokens: 12 },
          }),
        },
      );
      const world = createBundledWorld();
      const r = await runTask('Who is u1?', {
        model: model(p, server, 3),
        tools: world.tools,
        budgets: { maxLlmCalls: 2, maxOutputTokens: 100 },
        prefetch: false,
      });
      expect(['answered', 'failed']).toContain(r.status);
      if (r.status === 'failed') expect(isToolplanError(r.error)).toBe(true);
      expect(r.usage.llmCalls).toBeLessThanOrEqual(2);
      expect(r.usage.outputTokens).toBeLessThanOrEqual(100);
      expect(r.toolCalls.length).toBe(1);
    });
  });
}
