import type { Message, ToolCall } from './messages.ts';

/** A JSON Schema object, as the tool registry normalises it. */
export type JsonSchema = Record<string, unknown>;

export interface ToolSpec {
  /** The registered name; adapters map it to a name the provider accepts. */
  name: string;
  description: string;
  inputSchema: JsonSchema;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export interface JsonSchemaResponseFormat {
  type: 'json_schema';
  name: string;
  schema: JsonSchema;
}

export interface ModelRequest {
  messages: Message[];
  tools?: ToolSpec[];
  toolChoice?: ToolChoice;
  responseFormat?: JsonSchemaResponseFormat;
  maxOutputTokens?: number;
  temperature?: number;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error' | 'other';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** The server reported no usage: counted from characters, good for budgets, not for bills. */
  estimated?: boolean;
}

export interface ModelResponse {
  text: string;
  /** The model's reasoning (thinking blocks, `reasoning_content`), never part of `text`. */
  reasoning?: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  /** The provider's parsed response, for debugging; never relied upon by callers. */
  raw?: unknown;
}

export type ModelStreamPart =
  | { type: 'text-delta'; text: string }
  /** Reasoning the model streams before or between its answer and calls; not answer text. */
  | { type: 'reasoning-delta'; text: string }
  /** A tool call began; `index` is its position among this response's tool calls. */
  | { type: 'tool-call-start'; index: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; id: string; argsTextDelta: string }
  /** A tool call is complete and its arguments parsed. */
  | { type: 'tool-call'; index: number; toolCall: ToolCall }
  | { type: 'finish'; finishReason: FinishReason; usage: Usage };

export interface CallOptions {
  /** Cancels the HTTP request, retry waits and the stream. */
  signal?: AbortSignal;
}

export interface LanguageModel {
  readonly provider: 'openai' | 'anthropic' | (string & {});
  readonly modelId: string;
  generate(request: ModelRequest, options?: CallOptions): Promise<ModelResponse>;
  stream(request: ModelRequest, options?: CallOptions): AsyncIterable<ModelStreamPart>;
}
