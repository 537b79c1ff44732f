/**
 * The Vercel AI SDK as a peer in the loop bench: `streamText` with tools and a step limit,
 * over `@ai-sdk/openai`'s chat model pointed at the same simulated LLM (same wire format,
 * same pacing) and calling the same shop tools. `parallel` lets the model call several
 * tools a turn; `single` asks for one a turn, as the react baseline does.
 */

import { readFileSync } from 'node:fs';
import { createOpenAI } from '@ai-sdk/openai';
import { stepCountIs, streamText, type ToolSet, tool } from 'ai';
import type { Tool } from '../../src/tool/tool.ts';

const SINGLE = readFileSync(
  new URL('../../prompts/react-style-single.md', import.meta.url),
  'utf8',
);

export interface PeerResult {
  answer: string;
  wallMs: number;
  llmCalls: number;
  outputTokens: number;
  firstToolCallMs: number | null;
}

export async function runAiSdk(
  task: string,
  options: { baseURL: string; style: 'parallel' | 'single'; tools: Tool[]; signal?: AbortSignal },
): Promise<PeerResult> {
  const openai = createOpenAI({ baseURL: options.baseURL, apiKey: 'sk-sim' });
  const t0 = performance.now();
  let firstToolCallMs: number | null = null;
  const tools: ToolSet = {};
  for (const t of options.tools) {
    tools[t.name] = tool({
      description: t.description,
      // biome-ignore lint/suspicious/noExplicitAny: the shop's schemas are zod, which the AI SDK takes as they are.
      inputSchema: t.inputSchema as any,
      execute: async (args: unknown, { abortSignal }) => {
        firstToolCallMs ??= performance.now() - t0;
        return t.execute(args, {
          signal: abortSignal ?? new AbortController().signal,
          idempotencyKey: 'ai-sdk',
          runId: 'ai-sdk',
          nodeId: t.name,
          attempt: 1,
        });
      },
    });
  }
  const result = streamText({
    model: openai.chat('gpt-4.1-mini'),
    tools,
    stopWhen: stepCountIs(20),
    ...(options.style === 'single'
      ? { system: SINGLE, providerOptions: { openai: { parallelToolCalls: false } } }
      : {}),
    prompt: task,
    abortSignal: options.signal,
    maxRetries: 0,
  });
  const answer = await result.text;
  const steps = await result.steps;
  const usage = await result.totalUsage;
  return {
    answer,
    wallMs: performance.now() - t0,
    llmCalls: steps.length,
    outputTokens: usage.outputTokens ?? 0,
    firstToolCallMs,
  };
}
