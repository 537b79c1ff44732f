import type { Tool as McpToolDefinition } from '@modelcontextprotocol/sdk/types.js';
import { ConfigError } from '../errors/runtime-errors.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import type { Tool } from '../tool/tool.ts';
import { McpConnection } from './mcp-connection.ts';
import { type McpServerSpec, parseMcpSpec } from './mcp-spec.ts';
import { mcpToolToTool } from './mcp-tool.ts';

export interface McpToolsOptions {
  /** Prefix for the tool names (`name.tool`); a spec's own `name=` wins. */
  name?: string;
  /** Plan arguments the schemas do not list: `error` (default) or `allow`. */
  unknownArgs?: 'error' | 'allow';
  signal?: AbortSignal;
  /** Called after the server changed its tool list and `tools` was refreshed. */
  onToolsChanged?: (set: McpToolSet) => void;
}

/**
 * The tools of one MCP server as plain registry tools, and the connection behind them.
 * Close it (or `await using`) when done: that ends a stdio server's process.
 */
export class McpToolSet implements AsyncDisposable {
  readonly connection: McpConnection;
  tools: Tool[] = [];
  readonly #options: McpToolsOptions;
  readonly #registries = new Set<ToolRegistry>();

  constructor(connection: McpConnection, options: McpToolsOptions = {}) {
    this.connection = connection;
    this.#options = options;
    connection.onToolsChanged = (defs) => this.#replace(defs);
  }

  get label(): string {
    return this.connection.label;
  }

  /** Lists the server's tools (connecting first if needed). */
  async refresh(signal?: AbortSignal): Promise<Tool[]> {
    this.#replace(await this.connection.listTools(signal));
    return this.tools;
  }

  /** Adds the tools to `registry` and keeps them current there when the server's list changes. */
  addTo(registry: ToolRegistry): ToolRegistry {
    registry.addAll(this.tools, this.label);
    this.#registries.add(registry);
    return registry;
  }

  close(): Promise<void> {
    this.#registries.clear();
    return this.connection.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #replace(defs: readonly McpToolDefinition[]): void {
    const prefix = this.connection.spec.name ?? this.#options.name;
    const unknownArgs = this.connection.spec.unknownArgs ?? this.#options.unknownArgs;
    const previous = this.tools;
    const { queue } = this.connection.spec;
    this.tools = defs.map((d) => mcpToolToTool(d, this.connection, { prefix, unknownArgs, queue }));
    for (const registry of this.#registries) {
      for (const t of previous) registry.remove(t.name);
      registry.addAll(this.tools, this.label);
    }
    if (previous.length > 0 || this.#registries.size > 0) this.#options.onToolsChanged?.(this);
  }
}

function toSpec(spec: string | McpServerSpec, options: McpToolsOptions): McpServerSpec {
  const parsed = typeof spec === 'string' ? parseMcpSpec(spec) : { ...spec };
  if (!parsed.name && options.name) parsed.name = options.name;
  if (!parsed.unknownArgs && options.unknownArgs) parsed.unknownArgs = options.unknownArgs;
  return parsed;
}

/**
 * Connects to one MCP server (`"node server.js"`, `"fs=npx ..."`, `"http://127.0.0.1:3001/mcp"`
 * or a spec object) and returns its tools, ready for `ToolRegistry.from(set.tools)`.
 */
export async function mcpTools(
  spec: string | McpServerSpec,
  options: McpToolsOptions = {},
): Promise<McpToolSet> {
  const set = new McpToolSet(new McpConnection(toSpec(spec, options)), options);
  try {
    await set.refresh(options.signal);
  } catch (error) {
    await set.close();
    throw error;
  }
  return set;
}

/**
 * Starts several servers at once; if any fails, the others are closed and the error names
 * every server that failed (command and stderr included).
 */
export async function openMcpServers(
  specs: readonly (string | McpServerSpec)[],
  options: McpToolsOptions = {},
): Promise<McpToolSet[]> {
  const settled = await Promise.allSettled(specs.map((s) => mcpTools(s, options)));
  const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  const opened = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  if (failed.length === 0) return opened;
  await Promise.all(opened.map((s) => s.close()));
  if (failed.length === 1) throw failed[0]?.reason;
  throw new ConfigError(
    'mcp_start_failed',
    `${failed.length} MCP servers failed to start:\n${failed
      .map((f) => `  - ${f.reason instanceof Error ? f.reason.message : String(f.reason)}`)
      .join('\n')}`,
    { cause: failed[0]?.reason },
  );
}
