import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

/** Serves one MCP session over stdin/stdout; resolves when the client goes away or `signal` aborts. */
export async function serveStdio(server: McpServer, signal?: AbortSignal): Promise<void> {
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.connect(transport);
  await closed;
  await server.close().catch(() => {});
}

export interface HttpHandle {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * Serves Streamable HTTP at `http://127.0.0.1:PORT/mcp`, one MCP server per session (so a
 * client's `notifications/cancelled` reaches the run it cancels). Bound to 127.0.0.1 only,
 * with the SDK's Host-header check against DNS rebinding.
 */
export async function serveHttp(makeServer: () => McpServer, port: number): Promise<HttpHandle> {
  const sessions = new Map<
    string,
    { transport: StreamableHTTPServerTransport; server: McpServer }
  >();
  const allowedHosts: string[] = [];
  const http: Server = createServer((req, res) => {
    void (async () => {
      if ((req.url ?? '').split('?')[0] !== '/mcp') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('toolplan serves MCP at /mcp\n');
        return;
      }
      const sid = req.headers['mcp-session-id'];
      const existing = typeof sid === 'string' ? sessions.get(sid) : undefined;
      if (existing) return existing.transport.handleRequest(req, res);
      if (typeof sid === 'string') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            jsonrpc: '2.0',
            error: { code: -32001, message: 'unknown session' },
            id: null,
          }),
        );
        return;
      }
      const server = makeServer();
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableDnsRebindingProtection: true,
        allowedHosts,
        onsessioninitialized: (id) => {
          sessions.set(id, { transport, server });
        },
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      await server.connect(transport);
      await transport.handleRequest(req, res);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (http.address() as { port: number }).port;
  allowedHosts.push(`127.0.0.1:${actual}`, `localhost:${actual}`);
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}/mcp`,
    async close() {
      await Promise.all(
        [...sessions.values()].map(async (s) => {
          await s.server.close().catch(() => {});
        }),
      );
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
