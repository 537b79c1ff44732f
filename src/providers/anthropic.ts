import Anthropic from '@anthropic-ai/sdk';
import type {
  Message as AnthropicMessage,
  ToolChoice as AnthropicToolChoice,
  ContentBlockParam,
  MessageCreateParamsBase,
  MessageParam,
  RawMessageStreamEvent,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages/messages';
import type {
  CallOptions,
  FinishReason,
  LanguageModel,
  ModelRequest,
  ModelResponse,
  ModelStreamPart,
  Usage,
} from '../model/language-model.ts';
import type { ToolCall } from '../model/messages.ts';
import { type Fetch, guardFetch } from './fetch-guard.ts';
import { type ErrorContext, parseToolArgs, toProviderError } from './map-error.ts';
import {
  type AdapterIdentity,
  adapterIdentity,
  generateWith,
  LOCAL_PLACEHOLDER_KEY,
  streamWith,
  toolNamesOf,
} from './sdk-call.ts';
import type { ToolNameMap } from './tool-names.ts';
import { truncatedCallError } from './truncated-call.ts';
import { anthropicTool } from './wire-tools.ts';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_DEFAULT_MODEL = 'claude-sonnet-4-6';
/** The messages API requires max_tokens; this is used when the request does not say. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 8192;

export interface AnthropicModelOptions {
  model?: string;
  apiKey?: string;
  baseURL?: string;
  fetch?: Fetch;
  /** The SDK's retries of 408/409/429/5xx/529 and connection failures, honouring Retry-After. */
  maxRetries?: number;
  /** Per attempt, in milliseconds. */
  timeout?: number;
}

const FINISH: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** The messages API through the official `@anthropic-ai/sdk`. */
export class AnthropicModel implements LanguageModel {
  readonly provider = 'anthropic';
  readonly modelId: string;
  readonly baseURL: string;
  private readonly client: Anthropic;
  /** For error messages; the key only to scrub it from those a provider echoes it in. */
  private readonly id: AdapterIdentity;

  constructor(options: AnthropicModelOptions = {}) {
    this.modelId = options.model ?? ANTHROPIC_DEFAULT_MODEL;
    this.baseURL = options.baseURL ?? ANTHROPIC_DEFAULT_BASE_URL;
    this.id = adapterIdentity(this, options);
    this.client = new Anthropic({
      // Always explicit: without a key the SDK would look for credential files on disk.
      apiKey: options.apiKey ?? LOCAL_PLACEHOLDER_KEY,
      baseURL: this.baseURL,
      maxRetries: this.id.maxRetries,
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      ...(options.fetch ? { fetch: guardFetch(options.fetch) } : {}),
    });
  }

  generate(request: ModelRequest, options: CallOptions = {}): Promise<ModelResponse> {
    const names = toolNamesOf(request);
    const params = this.params(request, names);
    return generateWith(
      this.id,
      options.signal,
      () => this.client.messages.create({ ...params, stream: false }, { signal: options.signal }),
      (message) => toResponse(message, names),
    );
  }

  stream(request: ModelRequest, options: CallOptions = {}): AsyncIterable<ModelStreamPart> {
    const names = toolNamesOf(request);
    const params = this.params(request, names);
    const { signal } = options;
    return streamWith(
      this.id,
      signal,
      () => this.client.messages.create({ ...params, stream: true }, { signal }),
      () => new EventFolder(names),
    );
  }

  private params(request: ModelRequest, names: ToolNameMap): MessageCreateParamsBase {
    const system = request.messages
      .filter((message) => message.role === 'system')
      .map((message) => message.content)
      .join('\n\n');
    const params: MessageCreateParamsBase = {
      model: this.modelId,
      max_tokens: request.maxOutputTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
      messages: toMessages(request, names),
    };
    if (system !== '') params.system = system;
    if (request.tools && request.tools.length > 0) {
      params.tools = request.tools.map((tool) => anthropicTool(tool, names));
    }
    if (request.toolChoice !== undefined)
      params.tool_choice = toToolChoice(request.toolChoice, names);
    if (request.responseFormat) {
      params.output_config = {
        format: { type: 'json_schema', schema: request.responseFormat.schema },
      };
    }
    // `temperature` is deprecated in this API version (gone from the SDK's types): not sent.
    return params;
  }
}

function toToolChoice(
  choice: NonNullable<ModelRequest['toolChoice']>,
  names: ToolNameMap,
): AnthropicToolChoice {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any' };
  return { type: 'tool', name: names.toProvider(choice.name) };
}

/** Anthropic has no tool role: results are user content, and consecutive user turns merge. */
function toMessages(request: ModelRequest, names: ToolNameMap): MessageParam[] {
  const out: { role: 'user' | 'assistant'; content: ContentBlockParam[] }[] = [];
  const push = (role: 'user' | 'assistant', blocks: ContentBlockParam[]) => {
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
        break;
      case 'user':
        push('user', [{ type: 'text', text: message.content }]);
        break;
      case 'assistant': {
        const blocks: ContentBlockParam[] = [];
        if (message.content !== '') blocks.push({ type: 'text', text: message.content });
        for (const call of message.toolCalls ?? []) {
          blocks.push({
            type: 'tool_use',
            id: call.id,
            name: names.toProvider(call.name),
            input: call.args ?? {},
          });
        }
        push('assistant', blocks);
        break;
      }
      case 'tool':
        push(
          'user',
          message.results.map(
            (result): ToolResultBlockParam => ({
              type: 'tool_result',
              tool_use_id: result.toolCallId,
              content: result.content,
              ...(result.isError ? { is_error: true } : {}),
            }),
          ),
        );
        break;
    }
  }
  return out;
}

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** Cached input is still input: count it, so usage compares across providers. */
function inputTokens(usage: AnthropicUsage): number {
  return (
    (usage.input_tokens ?? 0) +
    (usage.cache_creation_input_tokens ?? 0) +
    (usage.cache_read_input_tokens ?? 0)
  );
}

function finishReason(raw: string | null | undefined): FinishReason {
  return raw ? (FINISH[raw] ?? 'other') : 'other';
}

function toResponse(message: AnthropicMessage, names: ToolNameMap): ModelResponse {
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'thinking') reasoning += block.thinking;
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: block.id,
        name: names.fromProvider(block.name),
        args: block.input ?? {},
      });
    }
  }
  return {
    text,
    ...(reasoning !== '' ? { reasoning } : {}),
    toolCalls,
    finishReason: finishReason(message.stop_reason),
    usage: { inputTokens: inputTokens(message.usage), outputTokens: message.usage.output_tokens },
    raw: message,
  };
}

interface OpenToolBlock {
  index: number;
  id: string;
  name: string;
  json: string;
}

type StreamEvent<T extends RawMessageStreamEvent['type']> = Extract<
  RawMessageStreamEvent,
  { type: T }
>;

/** Folds the messages stream events into stream parts. */
class EventFolder {
  stopped = false;
  private readonly tools = new Map<number, OpenToolBlock>();
  private toolCount = 0;
  private stopReason: string | null = null;
  /** A tool call whose arguments did not parse, reported once the stop reason is known. */
  private unparsed: { call: OpenToolBlock; error: unknown } | undefined;
  private usage: Usage = { inputTokens: 0, outputTokens: 0 };

  constructor(private readonly names: ToolNameMap) {}

  *fold(event: RawMessageStreamEvent): Iterable<ModelStreamPart> {
    switch (event.type) {
      case 'message_start':
        this.usage = {
          inputTokens: inputTokens(event.message.usage),
          outputTokens: event.message.usage.output_tokens,
        };
        break;
      case 'content_block_start':
        yield* this.blockStart(event);
        break;
      case 'content_block_delta':
        yield* this.blockDelta(event);
        break;
      case 'content_block_stop':
        yield* this.blockStop(event);
        break;
      case 'message_delta':
        this.messageDelta(event);
        break;
      case 'message_stop':
        this.stopped = true;
        yield { type: 'finish', finishReason: finishReason(this.stopReason), usage: this.usage };
        break;
    }
  }

  private *blockStart(event: StreamEvent<'content_block_start'>): Iterable<ModelStreamPart> {
    const block = event.content_block;
    if (block.type === 'text' && block.text !== '') yield { type: 'text-delta', text: block.text };
    if (block.type === 'thinking' && block.thinking !== '')
      yield { type: 'reasoning-delta', text: block.thinking };
    if (block.type === 'tool_use') {
      const open = {
        index: this.toolCount++,
        id: block.id,
        name: this.names.fromProvider(block.name),
        json: '',
      };
      this.tools.set(event.index, open);
      yield { type: 'tool-call-start', index: open.index, id: open.id, name: open.name };
    }
  }

  private *blockDelta(event: StreamEvent<'content_block_delta'>): Iterable<ModelStreamPart> {
    const delta = event.delta;
    if (delta.type === 'text_delta') yield { type: 'text-delta', text: delta.text };
    else if (delta.type === 'thinking_delta' && delta.thinking !== '')
      yield { type: 'reasoning-delta', text: delta.thinking };
    else if (delta.type === 'input_json_delta') {
      const open = this.tools.get(event.index);
      if (open && delta.partial_json !== '') {
        open.json += delta.partial_json;
        yield {
          type: 'tool-call-delta',
          index: open.index,
          id: open.id,
          argsTextDelta: delta.partial_json,
        };
      }
    }
  }

  private *blockStop(event: StreamEvent<'content_block_stop'>): Iterable<ModelStreamPart> {
    const open = this.tools.get(event.index);
    if (!open) return;
    this.tools.delete(event.index);
    let args: unknown;
    try {
      args = parseToolArgs(open.json, open, 'anthropic');
    } catch (error) {
      // Whether the output limit cut it off is only said by the message_delta after.
      this.unparsed = { call: open, error };
      return;
    }
    yield {
      type: 'tool-call',
      index: open.index,
      toolCall: { id: open.id, name: open.name, args },
    };
  }

  private messageDelta(event: StreamEvent<'message_delta'>): void {
    this.stopReason = event.delta.stop_reason ?? this.stopReason;
    if (this.unparsed) {
      const { call, error } = this.unparsed;
      if (this.stopReason === 'max_tokens') throw truncatedCallError(call.json, call, 'anthropic');
      throw error;
    }
    // message_delta usage is cumulative.
    this.usage = {
      inputTokens:
        event.usage.input_tokens == null ? this.usage.inputTokens : inputTokens(event.usage),
      outputTokens: event.usage.output_tokens,
    };
  }

  /** The finish part came with message_stop; a stream without one was cut short. */
  end(ctx: ErrorContext): Iterable<ModelStreamPart> {
    if (this.unparsed) throw this.unparsed.error;
    if (!this.stopped)
      throw toProviderError(new Error('the stream ended before message_stop'), ctx);
    return [];
  }
}
