import type {
  LanguageModel,
  ModelRequest,
  ModelResponse,
  ModelStreamPart,
} from '../model/language-model.ts';
import { collectStream } from '../model/stream-parts.ts';
import type { LlmPurpose, LoopEvent } from './events.ts';
import { costOf, type ModelPrice } from './prices.ts';
import type { LoopUsage } from './run-state.ts';

export interface LlmContext {
  model: LanguageModel;
  signal: AbortSignal;
  /** ms since the task started. */
  clock: () => number;
  emit: (event: LoopEvent) => void;
  prices?: Readonly<Record<string, ModelPrice>> | undefined;
}

export interface LlmResult {
  response: ModelResponse;
  usage: LoopUsage;
}

/**
 * One LLM round trip, always streamed so callers can act on parts as they arrive (the
 * planner starts nodes early). Reports usage with cost from the price table.
 */
export async function callModel(
  ctx: LlmContext,
  purpose: LlmPurpose,
  call: number,
  request: ModelRequest,
  onPart?: (part: ModelStreamPart) => void,
): Promise<LlmResult> {
  const started = ctx.clock();
  ctx.emit({ type: 'llm.started', at: started, purpose, call });
  const parts = ctx.model.stream(request, { signal: ctx.signal });
  const response = await collectStream(tee(parts, onPart));
  const usage: LoopUsage = {
    llmCalls: 1,
    inputTokens: response.usage.inputTokens,
    outputTokens: response.usage.outputTokens,
    costUsd: costOf(ctx.model.modelId, response.usage, ctx.prices),
    ...(response.usage.estimated ? { estimated: true } : {}),
  };
  const at = ctx.clock();
  ctx.emit({
    type: 'llm.finished',
    at,
    purpose,
    call,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    ms: at - started,
  });
  return { response, usage };
}

async function* tee(
  parts: AsyncIterable<ModelStreamPart>,
  onPart: ((part: ModelStreamPart) => void) | undefined,
): AsyncIterable<ModelStreamPart> {
  for await (const part of parts) {
    onPart?.(part);
    yield part;
  }
}
