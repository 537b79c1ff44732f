import OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions/completions';
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

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
export const OPENAI_DEFAULT_MODEL = 'gpt-4.1-mini';

export interface OpenAIModelOptions {
  model?: string;
  apiKey?: string;
  baseURL?: string;
  organization?: string;
  project?: string;
  fetch?: Fetch;
  /** The SDK's retries of 408/409/429/5xx and connection failures, honouring Retry-After. */
  maxRetries?: number;
  /** Per attempt, in milliseconds. */
  timeout?: number;
}

const FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
};

/** Chat completions through the official `openai` SDK; works with any OpenAI-compatible server. */
export class OpenAIModel implements LanguageModel {
  readonly provider = 'openai';
  readonly modelId: string;
  readonly baseURL: string;
  private readonly client: OpenAI;
  /** For error messages; the key only to scrub it from those a provider echoes it in. */
  private readonly id: AdapterIdentity;

  constructor(options: OpenAIModelOptions = {}) {
    this.modelId = options.model ?? OPENAI_DEFAULT_MODEL;
    this.baseURL = options.baseURL ?? OPENAI_DEFAULT_BASE_URL;
    this.id = adapterIdentity(this, options);
    this.client = new OpenAI({
      apiKey: options.apiKey ?? LOCAL_PLACEHOLDER_KEY,
      // Explicit values, so the SDK reads nothing from process.env behind the config's back.
      baseURL: this.baseURL,
      organization: options.organization ?? null,
      project: options.project ?? null,
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
      () =>
        this.client.chat.completions.create(
          { ...params, stream: false },
          { signal: options.signal },
        ),
      (completion) => toResponse(completion, names),
    );
  }

  stream(request: ModelRequest, options: CallOptions = {}): AsyncIterable<ModelStreamPart> {
    const names = toolNamesOf(request);
    const params = this.params(request, names);
    const { signal } = options;
    return streamWith(
      this.id,
      signal,
      () =>
        this.client.chat.completions.create(
          { ...params, stream: true, stream_options: { include_usage: true } },
          { signal },
        ),
      () => new ChunkFolder(names),
    );
  }

  private params(request: ModelRequest, names: ToolNameMap): ChatCompletionCreateParamsBase {
    const params: ChatCompletionCreateParamsBase = {
      model: this.modelId,
      messages: toMessages(request, names),
    };
    if (request.tools && request.tools.length > 0) {
      params.tools = request.tools.map((tool) => ({
        type: 'function' as const,
        function: {
          name: names.toProvider(tool.name),
          description: tool.description,
          parameters: tool.inputSchema,
        },
      }));
    }
    if (request.toolChoice !== undefined)
      params.tool_choice = toToolChoice(request.toolChoice, names);
    if (request.responseFormat) {
      params.response_format = {
        type: 'json_schema',
        json_schema: { name: request.responseFormat.name, schema: request.responseFormat.schema },
      };
    }
    if (request.maxOutputTokens !== undefined) {
      // OpenAI deprecated max_tokens, but most OpenAI-compatible servers only know it.
      if (this.baseURL === OPENAI_DEFAULT_BASE_URL)
        params.max_completion_tokens = request.maxOutputTokens;
      else params.max_tokens = request.maxOutputTokens;
    }
    if (request.temperature !== undefined) params.temperature = request.temperature;
    return params;
  }
}

function toToolChoice(
  choice: NonNullable<ModelRequest['toolChoice']>,
  names: ToolNameMap,
): ChatCompletionToolChoiceOption {
  if (typeof choice === 'string') return choice;
  return { type: 'function', function: { name: names.toProvider(choice.name) } };
}

function toMessages(request: ModelRequest, names: ToolNameMap): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
      case 'user':
        out.push({ role: message.role, content: message.content });
        break;
      case 'assistant': {
        const calls = message.toolCalls ?? [];
        out.push({
          role: 'assistant',
          content: message.content === '' && calls.length > 0 ? null : message.content,
          ...(calls.length > 0
            ? {
                tool_calls: calls.map((call) => ({
                  id: call.id,
                  type: 'function' as const,
                  function: {
                    name: names.toProvider(call.name),
                    arguments: JSON.stringify(call.args ?? {}),
                  },
                })),
              }
            : {}),
        });
        break;
      }
      case 'tool':
        for (const result of message.results) {
          out.push({
            role: 'tool',
            tool_call_id: result.toolCallId,
            // Chat completions has no error flag for tool results; say it in the text.
            content: result.isError ? `Error: ${result.content}` : result.content,
          });
        }
        break;
    }
  }
  return out;
}

function toUsage(
  usage: { prompt_tokens?: number; completion_tokens?: number } | null | undefined,
): Usage {
  return { inputTokens: usage?.prompt_tokens ?? 0, outputTokens: usage?.completion_tokens ?? 0 };
}

function finishReason(raw: string | null | undefined, hasToolCalls: boolean): FinishReason {
  const reason = raw ? (FINISH[raw] ?? 'other') : 'other';
  // Some OpenAI-compatible servers say "stop" after emitting tool calls.
  return hasToolCalls && reason === 'stop' ? 'tool_calls' : reason;
}

function toResponse(completion: ChatCompletion, names: ToolNameMap): ModelResponse {
  const choice = completion.choices[0];
  const toolCalls: ToolCall[] = [];
  for (const call of choice?.message.tool_calls ?? []) {
    if (call.type !== 'function') continue;
    const name = names.fromProvider(call.function.name);
    toolCalls.push({
      id: call.id,
      name,
      args: parseToolArgs(call.function.arguments, { id: call.id, name }, 'openai'),
    });
  }
  return {
    text: choice?.message.content ?? '',
    toolCalls,
    finishReason: finishReason(choice?.finish_reason, toolCalls.length > 0),
    usage: toUsage(completion.usage),
    raw: completion,
  };
}

interface PendingCall {
  index: number;
  id: string;
  name: string;
  args: string;
  done: boolean;
}

/** Folds `chat.completion.chunk`s into stream parts; a call completes when the next begins. */
class ChunkFolder {
  /** The call currently streaming at each wire index. */
  private readonly calls = new Map<number, PendingCall>();
  private count = 0;
  private finish: string | null = null;
  private usage: Usage = { inputTokens: 0, outputTokens: 0 };

  constructor(private readonly names: ToolNameMap) {}

  *fold(chunk: ChatCompletionChunk): Iterable<ModelStreamPart> {
    if (chunk.usage) this.usage = toUsage(chunk.usage);
    const choice = chunk.choices[0];
    if (!choice) return;
    const { delta } = choice;
    if (delta.content) yield { type: 'text-delta', text: delta.content };
    for (const piece of delta.tool_calls ?? []) {
      let call = this.calls.get(piece.index);
      // Some OpenAI-compatible servers send every call at index 0, told apart only by id.
      const reused = call !== undefined && piece.id !== undefined && piece.id !== call.id;
      if (!call || reused) {
        yield* this.completeAll();
        const index = this.count++;
        call = {
          index,
          id: piece.id ?? `call_${index}`,
          name: this.names.fromProvider(piece.function?.name ?? ''),
          args: '',
          done: false,
        };
        this.calls.set(piece.index, call);
        yield { type: 'tool-call-start', index: call.index, id: call.id, name: call.name };
      }
      const text = piece.function?.arguments ?? '';
      if (text !== '') {
        call.args += text;
        yield { type: 'tool-call-delta', index: call.index, id: call.id, argsTextDelta: text };
      }
    }
    if (choice.finish_reason) {
      this.finish = choice.finish_reason;
      yield* this.completeAll();
    }
  }

  *end(ctx: ErrorContext): Iterable<ModelStreamPart> {
    if (this.finish === null) {
      throw toProviderError(new Error('the stream ended before a finish_reason'), ctx);
    }
    yield* this.completeAll();
    yield {
      type: 'finish',
      finishReason: finishReason(this.finish, this.count > 0),
      usage: this.usage,
    };
  }

  private *completeAll(): Iterable<ModelStreamPart> {
    for (const call of this.calls.values()) {
      if (call.done) continue;
      call.done = true;
      const args = parseToolArgs(call.args, call, 'openai');
      yield {
        type: 'tool-call',
        index: call.index,
        toolCall: { id: call.id, name: call.name, args },
      };
    }
  }
}
