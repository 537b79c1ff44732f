import OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions/completions';
import type {
  CallOptions,
  LanguageModel,
  ModelRequest,
  ModelResponse,
  ModelStreamPart,
} from '../model/language-model.ts';
import { type Fetch, guardFetch } from './fetch-guard.ts';
import { ChunkFolder, completeCall } from './openai-chunk-folder.ts';
import {
  argumentsText,
  estimateTokens,
  finishReason,
  type LooseMessage,
  type LooseUsage,
  nonEmpty,
  readContent,
  readUsage,
  toolCallsOf,
} from './openai-wire-read.ts';
import {
  type AdapterIdentity,
  adapterIdentity,
  generateWith,
  LOCAL_PLACEHOLDER_KEY,
  streamWith,
  toolNamesOf,
} from './sdk-call.ts';
import type { ToolNameMap } from './tool-names.ts';
import { openAIFunctionTool } from './wire-tools.ts';

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
      (completion) => toResponse(completion, names, requestChars(params)),
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
      () => new ChunkFolder(names, requestChars(params)),
    );
  }

  private params(request: ModelRequest, names: ToolNameMap): ChatCompletionCreateParamsBase {
    const params: ChatCompletionCreateParamsBase = {
      model: this.modelId,
      messages: toMessages(request, names),
    };
    if (request.tools && request.tools.length > 0) {
      params.tools = request.tools.map((tool) => openAIFunctionTool(tool, names));
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

/** What the server read, for estimating input tokens when it reports none. */
function requestChars(params: ChatCompletionCreateParamsBase): number {
  return JSON.stringify(params.messages).length + JSON.stringify(params.tools ?? []).length;
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

/** A non-streamed `chat.completion`, read as loosely as servers write it. */
function toResponse(
  completion: ChatCompletion,
  names: ToolNameMap,
  inputChars: number,
): ModelResponse {
  const loose = completion as unknown as {
    choices?: { index?: unknown; message?: LooseMessage | null; finish_reason?: unknown }[];
    usage?: LooseUsage | null;
  };
  const choices = Array.isArray(loose.choices) ? loose.choices : [];
  const choice = choices.find((c) => c.index === undefined || c.index === 0) ?? choices[0];
  const message: LooseMessage = choice?.message ?? {};
  const { text, reasoning } = readContent(message);
  const truncated = choice?.finish_reason === 'length';
  const toolCalls = toolCallsOf(message).map((call, i) => {
    const id = nonEmpty(call.id) ?? `call_${i}`;
    const name = names.fromProvider(nonEmpty(call.function?.name) ?? '');
    return completeCall({ id, args: argumentsText(call.function?.arguments) }, name, truncated);
  });
  const outputChars =
    text.length +
    reasoning.length +
    toolCalls.reduce((n, c) => n + JSON.stringify(c.args).length, 0);
  return {
    text,
    ...(reasoning !== '' ? { reasoning } : {}),
    toolCalls,
    finishReason: finishReason(choice?.finish_reason, toolCalls.length > 0),
    usage: readUsage(loose.usage) ?? {
      inputTokens: estimateTokens(inputChars),
      outputTokens: estimateTokens(outputChars),
      estimated: true,
    },
    raw: completion,
  };
}
