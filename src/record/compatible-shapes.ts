import { splitText, type WireStreamReply, type WireToolCall } from './wire-formats.ts';

/**
 * The streamed chat-completion shapes OpenAI-compatible servers really send, as seen in the
 * provider conformance corpus (test/providers/corpus, SOURCES.md): where each puts ids, types,
 * indexes, names, reasoning, usage and the end. Cassettes built in these shapes make the eval
 * suite run the adapter's tolerant paths, not only OpenAI's own format.
 */

export const COMPATIBLE_SHAPES = [
  'qwen',
  'mistral',
  'groq',
  'deepseek',
  'xai',
  'ollama',
  'llamacpp',
  'vllm',
] as const;
export type CompatibleShape = (typeof COMPATIBLE_SHAPES)[number];

interface ShapeSpec {
  model: string;
  /** Where reasoning goes, when the shape's servers reason before answering. */
  reasoning?: 'reasoning_content' | 'reasoning';
  /** `whole`: one piece per call; `split`: a head (id, name) then argument pieces. */
  calls: 'whole' | 'split';
  /** What continuation pieces carry besides `index` (Qwen repeats `"id": ""` and `type`). */
  continuation?: Record<string, unknown>;
  /** The head piece's arguments: `''` or left out (vLLM). */
  headArgs: '' | undefined;
  index: boolean;
  type: boolean;
  id: (call: number) => string;
  /** Qwen closes each call with an empty piece after all arguments. */
  closingPiece?: boolean;
  usage: 'separate' | 'with-finish';
  /** Mistral sends the finish reason on the chunk that carries the calls. */
  finishOnCalls?: boolean;
  /** Fields the shape's servers add to every chunk. */
  extra?: Record<string, unknown>;
  /** Fields added to the finish chunk (llama.cpp's timings). */
  finishExtra?: Record<string, unknown>;
}

const SPECS: Record<CompatibleShape, ShapeSpec> = {
  qwen: {
    model: 'qwen3-max',
    calls: 'split',
    continuation: { id: '', type: 'function' },
    headArgs: '',
    index: true,
    type: true,
    id: (i) => `call_${(0x9e3779b1 * (i + 1)).toString(16).padStart(24, '0')}`,
    closingPiece: true,
    usage: 'separate',
    extra: { usage: null, system_fingerprint: null },
  },
  mistral: {
    model: 'mistral-small-latest',
    calls: 'whole',
    headArgs: '',
    index: false,
    type: false,
    id: (i) => `gSIMJiO${String.fromCharCode(97 + i)}T`,
    usage: 'with-finish',
    finishOnCalls: true,
  },
  groq: {
    model: 'llama-3.3-70b-versatile',
    calls: 'whole',
    headArgs: '',
    index: true,
    type: true,
    id: (i) => `tk85n1k4${i}`,
    usage: 'with-finish',
    extra: { system_fingerprint: 'fp_f8b414701e' },
  },
  deepseek: {
    model: 'deepseek-reasoner',
    reasoning: 'reasoning_content',
    calls: 'split',
    headArgs: '',
    index: true,
    type: true,
    id: (i) => `call_0${i}_ioIn7yN9p1ZOMNpDLwd4MgAF`,
    usage: 'with-finish',
    extra: { usage: null },
  },
  xai: {
    model: 'grok-3-mini',
    reasoning: 'reasoning_content',
    calls: 'whole',
    headArgs: '',
    index: true,
    type: true,
    id: (i) => `call_7938238${i}`,
    usage: 'separate',
    extra: { system_fingerprint: 'fp_2a885414fb' },
  },
  ollama: {
    model: 'qwen3:8b',
    reasoning: 'reasoning',
    calls: 'whole',
    headArgs: '',
    index: true,
    type: true,
    id: (i) => `call_k3j5a8x${i}`,
    usage: 'separate',
    extra: { system_fingerprint: 'fp_ollama' },
  },
  llamacpp: {
    model: 'gpt-3.5-turbo',
    reasoning: 'reasoning_content',
    calls: 'split',
    headArgs: '',
    index: true,
    type: true,
    id: (i) => `N7mXWpS0Q1Yb4fAZ5c2Lr8tKvD3eHg6${i}`,
    usage: 'with-finish',
    extra: { system_fingerprint: 'b6100-9a96389b' },
    finishExtra: { timings: { prompt_n: 200, predicted_n: 40 } },
  },
  vllm: {
    model: 'Qwen/Qwen3-8B',
    reasoning: 'reasoning_content',
    calls: 'split',
    headArgs: undefined,
    index: true,
    type: true,
    id: (i) => `chatcmpl-tool-${(i + 1).toString(16).padStart(4, '0')}`,
    usage: 'separate',
  },
};

export function shapeModel(shape: CompatibleShape): string {
  return SPECS[shape].model;
}

function argsText(args: unknown): string {
  return typeof args === 'string' ? args : JSON.stringify(args ?? {});
}

/** The SSE events of a streamed reply as servers of `shape` send it, ending in `[DONE]`. */
export function compatibleChatStream(reply: WireStreamReply, shape: CompatibleShape): string[] {
  const spec = SPECS[shape];
  const size = reply.chunkSize ?? 12;
  const calls = reply.toolCalls ?? [];
  const id = reply.id ?? 'chatcmpl-toolplan0001';
  const usage = reply.usage ?? { inputTokens: 20, outputTokens: 10 };
  const wireUsage = {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
  const chunk = (choices: unknown[], fields: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created: 1_750_000_000,
      model: reply.model ?? spec.model,
      ...spec.extra,
      choices,
      ...fields,
    })}\n\n`;
  const delta = (d: Record<string, unknown>, finish: string | null = null) =>
    chunk([{ index: 0, delta: d, finish_reason: finish }]);
  const finish = reply.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop');
  const events = [delta({ role: 'assistant', content: '' })];
  if (spec.reasoning && calls.length > 0) {
    for (const piece of splitText('The plan needs these tools.', size))
      events.push(delta({ [spec.reasoning]: piece }));
  }
  for (const piece of splitText(reply.text ?? '', size)) events.push(delta({ content: piece }));
  const pieces = calls.flatMap((call, i) => callPieces(spec, call, i, size));
  let finished = false;
  pieces.forEach((piece, n) => {
    const last = n === pieces.length - 1;
    if (spec.finishOnCalls && last) {
      finished = true;
      events.push(
        chunk(
          [{ index: 0, delta: { content: null, tool_calls: [piece] }, finish_reason: finish }],
          { usage: wireUsage },
        ),
      );
    } else events.push(delta({ tool_calls: [piece] }));
  });
  if (!finished) {
    const withUsage = spec.usage === 'with-finish' ? { usage: wireUsage } : {};
    events.push(
      chunk([{ index: 0, delta: {}, finish_reason: finish }], {
        ...withUsage,
        ...spec.finishExtra,
      }),
    );
  }
  if (spec.usage === 'separate') events.push(chunk([], { usage: wireUsage }));
  events.push('data: [DONE]\n\n');
  return events;
}

function callPieces(
  spec: ShapeSpec,
  call: WireToolCall,
  i: number,
  size: number,
): Record<string, unknown>[] {
  const where = spec.index ? { index: i } : {};
  const head = {
    ...where,
    id: call.id ?? spec.id(i),
    ...(spec.type ? { type: 'function' } : {}),
  };
  const args = argsText(call.args);
  if (spec.calls === 'whole') return [{ ...head, function: { name: call.name, arguments: args } }];
  const fn = spec.headArgs === undefined ? { name: call.name } : { name: call.name, arguments: '' };
  const out: Record<string, unknown>[] = [{ ...head, function: fn }];
  for (const piece of splitText(args, size)) {
    out.push({ ...where, ...spec.continuation, function: { arguments: piece } });
  }
  if (spec.closingPiece) out.push({ ...where, ...spec.continuation, function: { arguments: '' } });
  return out;
}
