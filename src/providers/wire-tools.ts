import type { ToolSpec } from '../model/language-model.ts';
import { toolSpecs } from '../tool/provider-tools.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import { createToolNameMap, type ToolNameMap } from './tool-names.ts';

/**
 * A tool as each provider's wire format has it: the one mapping the model adapters send and
 * `toOpenAITools` / `toAnthropicTools` export, so the two can never disagree.
 */

export interface OpenAIFunctionTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface AnthropicTool {
  name: string;
  description: string;
  input_schema: { type: 'object'; [key: string]: unknown };
}

export function openAIFunctionTool(spec: ToolSpec, names: ToolNameMap): OpenAIFunctionTool {
  return {
    type: 'function',
    function: {
      name: names.toProvider(spec.name),
      description: spec.description,
      parameters: spec.inputSchema,
    },
  };
}

/**
 * Anthropic's `input_schema` must be an object schema. The registry's schemas are normalised
 * objects already; one without a `type` gets `"type": "object"` (cassettes hold these bytes).
 */
export function anthropicTool(spec: ToolSpec, names: ToolNameMap): AnthropicTool {
  return {
    name: names.toProvider(spec.name),
    description: spec.description,
    input_schema: { type: 'object', ...spec.inputSchema } as AnthropicTool['input_schema'],
  };
}

/**
 * The registry as OpenAI function tools. Names OpenAI forbids (dots, spaces, over 64
 * characters) are mapped to valid ones; `names.fromProvider` maps a call back.
 */
export function toOpenAITools(registry: ToolRegistry): {
  tools: OpenAIFunctionTool[];
  names: ToolNameMap;
} {
  const names = createToolNameMap(registry.names());
  return { tools: toolSpecs(registry).map((t) => openAIFunctionTool(t, names)), names };
}

/** The registry as Anthropic tools (`input_schema`, which must be an object schema). */
export function toAnthropicTools(registry: ToolRegistry): {
  tools: AnthropicTool[];
  names: ToolNameMap;
} {
  const names = createToolNameMap(registry.names());
  return { tools: toolSpecs(registry).map((t) => anthropicTool(t, names)), names };
}
