/**
 * `toolplan/mcp`: tools from MCP servers (`mcpTools`) and toolplan as an MCP server. A subpath
 * of its own so that `import 'toolplan'` neither loads the MCP SDK nor needs its types.
 */

export { type LoadedTools, loadTools, type ToolSources } from '../tool/tool-sources.ts';
export { McpConnection } from './mcp-connection.ts';
export { type McpServerSpec, parseMcpConfig, parseMcpSpec, readMcpConfig } from './mcp-spec.ts';
export { type McpToolSet, type McpToolsOptions, mcpTools, openMcpServers } from './mcp-tools.ts';
export { serveHttp, serveStdio } from './serve-mcp.ts';
export { createToolplanServer, type ToolplanServerOptions } from './toolplan-server.ts';
