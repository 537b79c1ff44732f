export type {
  CallOptions,
  FinishReason,
  JsonSchema,
  JsonSchemaResponseFormat,
  LanguageModel,
  ModelRequest,
  ModelResponse,
  ModelStreamPart,
  ToolChoice,
  ToolSpec,
  Usage,
} from './language-model.ts';
export type {
  AssistantMessage,
  Message,
  SystemMessage,
  ToolCall,
  ToolMessage,
  ToolResult,
  UserMessage,
} from './messages.ts';
export {
  isProviderError,
  ProviderError,
  type ProviderErrorCode,
  type ProviderErrorDetails,
} from './provider-error.ts';
export {
  ScriptedModel,
  type ScriptedModelOptions,
  type ScriptStep,
  textResponse,
  toolCallsResponse,
} from './scripted-model.ts';
export { collectStream, responseToParts } from './stream-parts.ts';
