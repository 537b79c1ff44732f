import type { ToolSpec } from '../model/language-model.ts';
import { createToolNameMap, type ToolNameMap } from '../providers/tool-names.ts';
import type { ToolRegistry } from './registry.ts';

/** The registry's tools in the provider-neutral form the model adapters take. */
export function toolSpecs(registry: ToolRegistry): ToolSpec[] {
  return registry
    .list()
    .map((r) => ({ name: r.name, description: r.tool.description, inputSchema: r.inputSchema }));
}

export interface OpenAIFunctionTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface AnthropicTool {
  name: string;
  description: string;
  input_schema: Record<string, unknown>;
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
  const tools = toolSpecs(registry).map((t) => ({
    type: 'function' as const,
    function: {
      name: names.toProvider(t.name),
      description: t.description,
      parameters: t.inputSchema,
    },
  }));
  return { tools, names };
}

/** The registry as Anthropic tools (`input_schema`, which must be an object schema). */
export function toAnthropicTools(registry: ToolRegistry): {
  tools: AnthropicTool[];
  names: ToolNameMap;
} {
  const names = createToolNameMap(registry.names());
  const tools = toolSpecs(registry).map((t) => ({
    name: names.toProvider(t.name),
    description: t.description,
    input_schema:
      t.inputSchema.type === 'object'
        ? t.inputSchema
        : { type: 'object', properties: {}, ...t.inputSchema },
  }));
  return { tools, names };
}
