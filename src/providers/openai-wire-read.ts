import type { FinishReason, Usage } from '../model/language-model.ts';

/**
 * Reading what OpenAI-compatible servers actually send, which is looser than the SDK's types:
 * tool calls without `type`, `arguments` as an object, empty-string ids on continuation
 * chunks, content as an array of typed parts (Mistral), reasoning in `reasoning_content`
 * (DeepSeek, Qwen, vLLM, llama.cpp, xAI) or `reasoning` (Ollama, Groq, OpenRouter, newer vLLM).
 */

export interface LooseFunction {
  name?: unknown;
  arguments?: unknown;
}

export interface LooseToolCall {
  index?: unknown;
  id?: unknown;
  type?: unknown;
  function?: LooseFunction | null;
}

/** A streamed `delta` or a non-streamed `message`. */
export interface LooseMessage {
  content?: unknown;
  reasoning_content?: unknown;
  reasoning?: unknown;
  tool_calls?: unknown;
  /** The legacy single-call form (finish_reason `function_call`). */
  function_call?: LooseFunction | null;
}

export interface LooseUsage {
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
}

const FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  eos: 'stop',
  end_turn: 'stop',
  length: 'length',
  max_tokens: 'length',
  model_length: 'length',
  tool_calls: 'tool_calls',
  tool_call: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
  error: 'error',
};

/** A string that says something: empty strings (Qwen's continuation ids) count as absent. */
export function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The answer text and reasoning text of a message or delta, kept apart. */
export function readContent(message: LooseMessage): { text: string; reasoning: string } {
  let text = '';
  let reasoning = nonEmpty(message.reasoning_content) ?? nonEmpty(message.reasoning) ?? '';
  const { content } = message;
  if (typeof content === 'string') text = content;
  else if (Array.isArray(content)) {
    for (const part of content as unknown[]) {
      if (typeof part === 'string') text += part;
      else if (part && typeof part === 'object') {
        const p = part as { type?: unknown; text?: unknown; thinking?: unknown };
        if (p.type === 'thinking') reasoning += partsText(p.thinking);
        else if (p.type === undefined || p.type === 'text') text += partsText(p.text);
      }
    }
  }
  return { text, reasoning };
}

/** Text given as a string or as `[{ type: 'text', text }]`. */
function partsText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return '';
  return value
    .map((v) => (typeof v === 'string' ? v : partsText((v as { text?: unknown })?.text)))
    .join('');
}

/** Arguments text as sent, or an object some servers send in its place, serialised. */
export function argumentsText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}

/** The tool-call entries of a message or delta, including the legacy `function_call`. */
export function toolCallsOf(message: LooseMessage): LooseToolCall[] {
  const out: LooseToolCall[] = [];
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls as unknown[]) {
      if (!call || typeof call !== 'object') continue;
      const c = call as LooseToolCall;
      // A `type` other than function (a built-in tool) is not ours; a missing one is (Mistral).
      if (c.type !== undefined && c.type !== null && c.type !== 'function') continue;
      out.push(c);
    }
  }
  if (message.function_call && typeof message.function_call === 'object') {
    out.push({ index: out.length, function: message.function_call });
  }
  return out;
}

export function readUsage(usage: LooseUsage | null | undefined): Usage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const input = usage.prompt_tokens;
  const output = usage.completion_tokens;
  if (typeof input !== 'number' && typeof output !== 'number') return undefined;
  return {
    inputTokens: typeof input === 'number' ? input : 0,
    outputTokens: typeof output === 'number' ? output : 0,
  };
}

export function finishReason(raw: unknown, hasToolCalls: boolean): FinishReason {
  const reason = typeof raw === 'string' && raw !== '' ? (FINISH[raw] ?? 'other') : 'other';
  // Ollama, older vLLM and others say "stop" (or nothing useful) after emitting tool calls.
  return hasToolCalls && (reason === 'stop' || reason === 'other') ? 'tool_calls' : reason;
}

/**
 * Tokens estimated from characters when a server reports no usage (about four characters a
 * token for English and JSON): enough for budgets, and marked so nobody bills by it.
 */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}
