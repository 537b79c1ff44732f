import type { CallToolResult, Tool as McpToolDefinition } from '@modelcontextprotocol/sdk/types.js';
import { ToolError } from '../errors/runtime-errors.ts';
import type { JsonSchema, Tool } from '../tool/tool.ts';
import type { McpConnection } from './mcp-connection.ts';
import { untrustedText } from './untrusted-text.ts';

/**
 * The output of a tool that declares no output schema: its content parts as the server sent
 * them. Declared so the validator types `${n.output[0].text}`; items stay open.
 */
export const CONTENT_PARTS_SCHEMA: JsonSchema = {
  type: 'array',
  description: 'MCP content parts, e.g. [{"type": "text", "text": "..."}]',
  items: {
    type: 'object',
    properties: {
      type: { type: 'string' },
      text: { type: 'string' },
      mimeType: { type: 'string' },
      data: { type: 'string' },
    },
    required: ['type'],
  },
};

const MAX_ERROR_TEXT = 1000;
const MAX_DESCRIPTION = 4000;

/** A registry name for a server's tool: `prefix.name`, with characters toolplan refuses as `_`. */
export function registryName(prefix: string | undefined, name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.:-]/g, '_');
  const full = prefix ? `${prefix}.${safe}` : safe;
  return (/^[A-Za-z_]/.test(full) ? full : `_${full}`).slice(0, 128);
}

export interface McpToolOptions {
  prefix?: string | undefined;
  unknownArgs?: 'error' | 'allow' | undefined;
  /** With `--redis`: the queue the tool's calls go to. */
  queue?: string | undefined;
}

/**
 * Annotations become options: a tool not marked read-only changes the world (`mutating`);
 * one marked destructive also waits for a person (`requires_approval`). The spec's default
 * for an unmarked tool is "may be destructive", but asking for every unmarked tool would
 * make approval noise of the common case, so only an explicit `destructiveHint` asks.
 */
export function annotationOptions(
  def: McpToolDefinition,
): Pick<Tool, 'mutating' | 'requires_approval'> {
  const a = def.annotations ?? {};
  const readOnly = a.readOnlyHint === true;
  return {
    mutating: !readOnly,
    requires_approval: !readOnly && a.destructiveHint === true,
  };
}

/** What a call returns to the plan: `structuredContent` when given, else the content parts. */
export function outputOf(result: CallToolResult): unknown {
  if (result.structuredContent !== undefined) return result.structuredContent;
  return result.content ?? [];
}

/** The server's own words about a failed call, as untrusted text. */
export function errorText(result: CallToolResult): string {
  const parts = (result.content ?? [])
    .map((p) => (p.type === 'text' ? p.text : `[${p.type}]`))
    .join(' ')
    .trim();
  return untrustedText(parts || '(the server gave no message)', MAX_ERROR_TEXT);
}

/** One MCP tool as a plain registry tool whose calls go to the server. */
export function mcpToolToTool(
  def: McpToolDefinition,
  connection: McpConnection,
  options: McpToolOptions = {},
): Tool {
  const name = registryName(options.prefix, def.name);
  const description = untrustedText(
    def.description?.trim() || def.title?.trim() || `MCP tool ${def.name} of ${connection.label}`,
    MAX_DESCRIPTION,
  );
  return {
    name,
    description,
    inputSchema: def.inputSchema as JsonSchema,
    outputSchema: (def.outputSchema as JsonSchema | undefined) ?? CONTENT_PARTS_SCHEMA,
    ...annotationOptions(def),
    ...(options.unknownArgs ? { unknown_args: options.unknownArgs } : {}),
    ...(options.queue ? { queue: options.queue } : {}),
    async execute(args, ctx) {
      const result = await connection.callTool(def.name, args, { signal: ctx.signal });
      if (result.isError) {
        throw new ToolError(`MCP tool ${def.name} reported an error: ${errorText(result)}`, {
          code: 'mcp_tool_error',
          details: { server: connection.label, tool: def.name, untrusted: true },
        });
      }
      return outputOf(result);
    },
  };
}
