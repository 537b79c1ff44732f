/** A tool call the model asked for. `args` is parsed JSON; the adapters reject malformed JSON. */
export interface ToolCall {
  id: string;
  /** The registered tool name (never the provider's wire name). */
  name: string;
  args: unknown;
}

export interface SystemMessage {
  role: 'system';
  content: string;
}

export interface UserMessage {
  role: 'user';
  content: string;
}

export interface AssistantMessage {
  role: 'assistant';
  /** Text the model wrote; empty when it only called tools. */
  content: string;
  toolCalls?: ToolCall[];
}

export interface ToolResult {
  /** The id of the ToolCall this answers. */
  toolCallId: string;
  /** The registered tool name; Anthropic does not need it, OpenAI-compatible servers may. */
  name?: string;
  /** The result as text (callers serialise structured results themselves). */
  content: string;
  isError?: boolean;
}

/** Results for one or more tool calls of the preceding assistant message. */
export interface ToolMessage {
  role: 'tool';
  results: ToolResult[];
}

export type Message = SystemMessage | UserMessage | AssistantMessage | ToolMessage;
