import type { McpServerSpec } from '../mcp/mcp-spec.ts';
import type { McpToolSet } from '../mcp/mcp-tools.ts';
import { loadToolsModule } from './load-tools-module.ts';
import { trackToolSource } from './open-tool-sources.ts';
import { ToolRegistry } from './registry.ts';

/** Where a command's tools come from: `--tools` modules, `--mcp` servers, `--mcp-config` files. */
export interface ToolSources {
  tools?: readonly string[];
  mcp?: readonly string[];
  mcpConfig?: string | readonly string[];
}

export interface LoadedTools {
  registry: ToolRegistry;
  servers: McpToolSet[];
  /** Closes the MCP servers (their processes end); safe to call twice. */
  close(): Promise<void>;
}

/**
 * Loads every tool a command was given into one registry. Modules load first, then the MCP
 * servers start in parallel; a name defined twice names both sources. The MCP SDK is only
 * imported when a server is named, so plain `--tools` commands start as fast as before.
 */
export async function loadTools(sources: ToolSources, cwd = process.cwd()): Promise<LoadedTools> {
  const registry = new ToolRegistry();
  for (const path of sources.tools ?? []) registry.addAll(await loadToolsModule(path, cwd), path);
  const specs: Array<string | McpServerSpec> = [...(sources.mcp ?? [])];
  const configs =
    typeof sources.mcpConfig === 'string' ? [sources.mcpConfig] : (sources.mcpConfig ?? []);
  if (specs.length === 0 && configs.length === 0)
    return { registry, servers: [], close: async () => {} };
  const { openMcpServers } = await import('../mcp/mcp-tools.ts');
  const { readMcpConfig } = await import('../mcp/mcp-spec.ts');
  for (const file of configs) specs.push(...readMcpConfig(file));
  const servers = await openMcpServers(specs);
  const close = async () => {
    await Promise.all(servers.map((s) => s.close()));
  };
  try {
    for (const s of servers) s.addTo(registry);
  } catch (error) {
    await close();
    throw error;
  }
  return { registry, servers, close };
}

/**
 * What every CLI command calls: `loadTools`, with the servers closed by the CLI's entry point
 * once the command is done, whatever way it ends.
 */
export async function loadCliTools(options: ToolSources): Promise<ToolRegistry> {
  const loaded = await loadTools(options);
  if (loaded.servers.length > 0) trackToolSource(loaded.close);
  return loaded.registry;
}
