import type { ModelResponse, ModelStreamPart } from './language-model.ts';
import type { ToolCall } from './messages.ts';

/** Folds a stream into the response `generate` would have returned. */
export async function collectStream(parts: AsyncIterable<ModelStreamPart>): Promise<ModelResponse> {
  let text = '';
  let reasoning = '';
  const toolCalls: { index: number; call: ToolCall }[] = [];
  let finish: Extract<ModelStreamPart, { type: 'finish' }> | undefined;
  for await (const part of parts) {
    if (part.type === 'text-delta') text += part.text;
    else if (part.type === 'reasoning-delta') reasoning += part.text;
    else if (part.type === 'tool-call') toolCalls.push({ index: part.index, call: part.toolCall });
    else if (part.type === 'finish') finish = part;
  }
  toolCalls.sort((a, b) => a.index - b.index);
  return {
    text,
    ...(reasoning !== '' ? { reasoning } : {}),
    toolCalls: toolCalls.map((entry) => entry.call),
    finishReason: finish?.finishReason ?? 'other',
    usage: finish?.usage ?? { inputTokens: 0, outputTokens: 0 },
  };
}

/** The stream a provider would plausibly send for `response` (one delta per text, per call). */
export function responseToParts(response: ModelResponse): ModelStreamPart[] {
  const parts: ModelStreamPart[] = [];
  if (response.reasoning) parts.push({ type: 'reasoning-delta', text: response.reasoning });
  if (response.text !== '') parts.push({ type: 'text-delta', text: response.text });
  response.toolCalls.forEach((call, index) => {
    parts.push({ type: 'tool-call-start', index, id: call.id, name: call.name });
    parts.push({
      type: 'tool-call-delta',
      index,
      id: call.id,
      argsTextDelta: JSON.stringify(call.args ?? {}),
    });
    parts.push({ type: 'tool-call', index, toolCall: call });
  });
  parts.push({ type: 'finish', finishReason: response.finishReason, usage: response.usage });
  return parts;
}
