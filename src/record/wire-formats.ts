/**
 * Builders for the exact wire formats the providers send, so cassettes and the test server can
 * be authored by hand and then parsed by the real SDKs. Ids and timestamps are deterministic.
 */

export interface WireToolCall {
  id?: string;
  /** The name on the wire (what the adapter sent as the tool's name). */
  name: string;
  /** An object (serialised) or the raw arguments text (to author malformed JSON). */
  args: unknown;
}

export interface WireUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface WireReply {
  text?: string;
  toolCalls?: WireToolCall[];
  usage?: WireUsage;
  model?: string;
  id?: string;
  /** Provider-specific finish reason; default from the content (tool calls or stop). */
  finishReason?: string;
}

export interface WireStreamReply extends WireReply {
  /** Characters per text delta and per arguments delta; default 12. */
  chunkSize?: number;
}

const DEFAULT_USAGE: WireUsage = { inputTokens: 20, outputTokens: 10 };

function argsText(args: unknown): string {
  return typeof args === 'string' ? args : JSON.stringify(args ?? {});
}

/** Splits text into pieces of `size` characters (at least one piece, possibly empty). */
export function splitText(text: string, size = 12): string[] {
  if (text === '') return [];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

// ---------- OpenAI chat completions ----------

function openaiUsage(usage: WireUsage) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function openaiCallId(call: WireToolCall, i: number): string {
  return call.id ?? `call_${String(i + 1).padStart(3, '0')}`;
}

/** A `chat.completion` object (the JSON body of a non-streaming response). */
export function openaiChatCompletion(reply: WireReply): Record<string, unknown> {
  const calls = reply.toolCalls ?? [];
  return {
    id: reply.id ?? 'chatcmpl-toolplan0001',
    object: 'chat.completion',
    created: 1_750_000_000,
    model: reply.model ?? 'gpt-4.1-mini-2025-04-14',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.text ?? (calls.length > 0 ? null : ''),
          ...(calls.length > 0
            ? {
                tool_calls: calls.map((call, i) => ({
                  id: openaiCallId(call, i),
                  type: 'function',
                  function: { name: call.name, arguments: argsText(call.args) },
                })),
              }
            : {}),
          refusal: null,
          annotations: [],
        },
        logprobs: null,
        finish_reason: reply.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop'),
      },
    ],
    usage: openaiUsage(reply.usage ?? DEFAULT_USAGE),
    service_tier: 'default',
    system_fingerprint: 'fp_toolplan',
  };
}

/**
 * The SSE text of a streamed chat completion with `stream_options.include_usage`, one string
 * per event: role, text deltas, per call a header delta then argument deltas, the finish
 * chunk, the usage chunk (empty choices) and `data: [DONE]`.
 */
export function openaiChatStream(reply: WireStreamReply): string[] {
  const id = reply.id ?? 'chatcmpl-toolplan0001';
  const model = reply.model ?? 'gpt-4.1-mini-2025-04-14';
  const calls = reply.toolCalls ?? [];
  const size = reply.chunkSize ?? 12;
  const chunk = (choices: unknown[], usage: unknown = null) =>
    `data: ${JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created: 1_750_000_000,
      model,
      service_tier: 'default',
      system_fingerprint: 'fp_toolplan',
      choices,
      usage,
    })}\n\n`;
  const delta = (d: Record<string, unknown>, finish: string | null = null) =>
    chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);
  const events = [delta({ role: 'assistant', content: '', refusal: null })];
  for (const piece of splitText(reply.text ?? '', size)) events.push(delta({ content: piece }));
  calls.forEach((call, i) => {
    events.push(
      delta({
        tool_calls: [
          {
            index: i,
            id: openaiCallId(call, i),
            type: 'function',
            function: { name: call.name, arguments: '' },
          },
        ],
      }),
    );
    for (const piece of splitText(argsText(call.args), size)) {
      events.push(delta({ tool_calls: [{ index: i, function: { arguments: piece } }] }));
    }
  });
  events.push(delta({}, reply.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop')));
  events.push(chunk([], openaiUsage(reply.usage ?? DEFAULT_USAGE)));
  events.push('data: [DONE]\n\n');
  return events;
}

/** An OpenAI error body, e.g. `openaiError('Incorrect API key provided', 'invalid_request_error', 'invalid_api_key')`. */
export function openaiError(
  message: string,
  type = 'invalid_request_error',
  code: string | null = null,
) {
  return { error: { message, type, param: null, code } };
}

// ---------- Anthropic messages ----------

function anthropicUsage(usage: WireUsage) {
  return {
    input_tokens: usage.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: usage.outputTokens,
    service_tier: 'standard',
  };
}

function anthropicCallId(call: WireToolCall, i: number): string {
  return call.id ?? `toolu_${String(i + 1).padStart(3, '0')}`;
}

/** A `message` object (the JSON body of a non-streaming response). */
export function anthropicMessage(reply: WireReply): Record<string, unknown> {
  const calls = reply.toolCalls ?? [];
  const content: unknown[] = [];
  if (reply.text) content.push({ type: 'text', text: reply.text });
  calls.forEach((call, i) => {
    content.push({
      type: 'tool_use',
      id: anthropicCallId(call, i),
      name: call.name,
      input: typeof call.args === 'string' ? JSON.parse(call.args) : (call.args ?? {}),
    });
  });
  return {
    id: reply.id ?? 'msg_toolplan0001',
    type: 'message',
    role: 'assistant',
    model: reply.model ?? 'claude-sonnet-4-5-20250929',
    content,
    stop_reason: reply.finishReason ?? (calls.length > 0 ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: anthropicUsage(reply.usage ?? DEFAULT_USAGE),
  };
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The SSE text of a streamed message, one string per event: `message_start`, per block
 * `content_block_start` / `content_block_delta` (`text_delta`, `input_json_delta`) /
 * `content_block_stop`, `message_delta` with the stop reason and usage, `message_stop`.
 */
export function anthropicStream(reply: WireStreamReply): string[] {
  const calls = reply.toolCalls ?? [];
  const size = reply.chunkSize ?? 12;
  const usage = reply.usage ?? DEFAULT_USAGE;
  const events = [
    sse('message_start', {
      type: 'message_start',
      message: {
        id: reply.id ?? 'msg_toolplan0001',
        type: 'message',
        role: 'assistant',
        model: reply.model ?? 'claude-sonnet-4-5-20250929',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...anthropicUsage(usage), output_tokens: 1 },
      },
    }),
  ];
  let index = 0;
  if (reply.text) events.push(...anthropicTextBlock(reply.text, index++, size));
  calls.forEach((call, i) => {
    events.push(...anthropicToolBlock(call, i, index++, size));
  });
  events.push(
    sse('message_delta', {
      type: 'message_delta',
      delta: {
        stop_reason: reply.finishReason ?? (calls.length > 0 ? 'tool_use' : 'end_turn'),
        stop_sequence: null,
      },
      usage: {
        input_tokens: usage.inputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: usage.outputTokens,
      },
    }),
  );
  events.push(sse('message_stop', { type: 'message_stop' }));
  return events;
}

function anthropicTextBlock(text: string, index: number, size: number): string[] {
  const events = [
    sse('content_block_start', {
      type: 'content_block_start',
      index,
      content_block: { type: 'text', text: '' },
    }),
    sse('ping', { type: 'ping' }),
  ];
  for (const piece of splitText(text, size)) {
    events.push(
      sse('content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'text_delta', text: piece },
      }),
    );
  }
  events.push(sse('content_block_stop', { type: 'content_block_stop', index }));
  return events;
}

function anthropicToolBlock(
  call: NonNullable<WireStreamReply['toolCalls']>[number],
  i: number,
  index: number,
  size: number,
): string[] {
  const delta = (partial_json: string) =>
    sse('content_block_delta', {
      type: 'content_block_delta',
      index,
      delta: { type: 'input_json_delta', partial_json },
    });
  return [
    sse('content_block_start', {
      type: 'content_block_start',
      index,
      content_block: { type: 'tool_use', id: anthropicCallId(call, i), name: call.name, input: {} },
    }),
    delta(''),
    ...splitText(argsText(call.args), size).map(delta),
    sse('content_block_stop', { type: 'content_block_stop', index }),
  ];
}

/** An Anthropic error body, e.g. `anthropicError('overloaded_error', 'Overloaded')`. */
export function anthropicError(type: string, message: string) {
  return { type: 'error', error: { type, message }, request_id: 'req_toolplan0001' };
}

/** An in-stream Anthropic `error` event (sent after a 200 when the model overloads mid-stream). */
export function anthropicStreamError(type: string, message: string): string {
  return sse('error', anthropicError(type, message));
}
