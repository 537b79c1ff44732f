export {
  ANTHROPIC_DEFAULT_BASE_URL,
  ANTHROPIC_DEFAULT_MAX_TOKENS,
  ANTHROPIC_DEFAULT_MODEL,
  AnthropicModel,
  type AnthropicModelOptions,
} from './anthropic.ts';
export {
  type CreateModelOptions,
  createModel,
  type Env,
  type LoadConfigOptions,
  loadProviderConfig,
  type ProviderConfig,
  type ProviderName,
  selectProvider,
} from './config.ts';
export type { Fetch } from './fetch-guard.ts';
export {
  OPENAI_DEFAULT_BASE_URL,
  OPENAI_DEFAULT_MODEL,
  OpenAIModel,
  type OpenAIModelOptions,
} from './openai.ts';
export { LOCAL_PLACEHOLDER_KEY } from './sdk-call.ts';
export { createToolNameMap, PROVIDER_TOOL_NAME, type ToolNameMap } from './tool-names.ts';
