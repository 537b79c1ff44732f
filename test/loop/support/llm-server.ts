import { AnthropicModel } from '../../../src/providers/anthropic.ts';
import { OpenAIModel } from '../../../src/providers/openai.ts';
import {
  anthropicStream,
  openaiChatStream,
  type WireStreamReply,
} from '../../../src/record/wire-formats.ts';
import { startWireServer, type WireServer } from '../../../src/record/wire-server.ts';

/**
 * A provider on 127.0.0.1 for loop tests: replies are authored in the real wire format and
 * parsed by the real SDK through the real adapters. Only the LLM's choices are scripted.
 */
export interface FakeLlm {
  server: WireServer;
  model: OpenAIModel | AnthropicModel;
  reply(...replies: WireStreamReply[]): void;
  /** Request bodies the provider received, in order. */
  bodies(): Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startLlm(
  provider: 'openai' | 'anthropic' = 'openai',
  timing?: { firstChunkMs: number; chunkMs: number },
): Promise<FakeLlm> {
  const server = await startWireServer(timing ? { timing } : {});
  const model =
    provider === 'openai'
      ? new OpenAIModel({
          baseURL: `${server.origin}/v1`,
          apiKey: 'sk-test',
          maxRetries: 0,
          model: 'gpt-4.1-mini',
        })
      : new AnthropicModel({
          baseURL: server.origin,
          apiKey: 'sk-ant-test',
          maxRetries: 0,
          model: 'claude-sonnet-4-5',
        });
  return {
    server,
    model,
    reply(...replies) {
      for (const r of replies) {
        server.enqueue({
          stream: provider === 'openai' ? openaiChatStream(r) : anthropicStream(r),
        });
      }
    },
    bodies: () => server.requests.map((r) => r.body as Record<string, unknown>),
    close: () => server.close(),
  };
}

export const planCall = (plan: unknown, outputTokens = 60): WireStreamReply => ({
  toolCalls: [{ name: 'submit_plan', args: plan }],
  usage: { inputTokens: 400, outputTokens },
});

export const textReply = (text: string, outputTokens = 12): WireStreamReply => ({
  text,
  usage: { inputTokens: 500, outputTokens },
});

export const callsReply = (
  calls: { name: string; args: unknown }[],
  outputTokens = 20,
): WireStreamReply => ({
  toolCalls: calls,
  usage: { inputTokens: 300, outputTokens },
});

export type WireMessage = { role: string; content?: unknown; tool_call_id?: string };

/** The chat messages of a request body the fake provider received. */
export const messagesOf = (body: Record<string, unknown>) => body.messages as WireMessage[];
export const lastMessage = (body: Record<string, unknown>) => messagesOf(body).at(-1)!;
