import type { ToolSpec } from '../model/language-model.ts';
import type { ToolRegistry } from './registry.ts';

/**
 * The registry's tools in the provider-neutral form the model adapters take. Each provider's
 * own form (names it accepts, schema shape) is the adapters' business: `providers/wire-tools.ts`.
 */
export function toolSpecs(registry: ToolRegistry): ToolSpec[] {
  return registry
    .list()
    .map((r) => ({ name: r.name, description: r.tool.description, inputSchema: r.inputSchema }));
}
