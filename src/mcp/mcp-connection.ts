import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import {
  getDefaultEnvironment,
  StdioClientTransport,
} from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type CallToolResult,
  CallToolResultSchema,
  ErrorCode,
  McpError,
  type Tool as McpToolDefinition,
} from '@modelcontextprotocol/sdk/types.js';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';
import { ConfigError, ToolError } from '../errors/runtime-errors.ts';
import { describeSpec, type McpServerSpec } from './mcp-spec.ts';
import { untrustedText } from './untrusted-text.ts';

const STDERR_KEEP = 4000;
const DEFAULT_CALL_TIMEOUT_MS = 10 * 60_000;
const CLIENT_INFO = { name: 'toolplan', version: '0.1.0' };

/** Child processes still alive, killed if the process exits without closing them. */
const livePids = new Set<number>();
let exitHookInstalled = false;
function trackPid(pid: number | null | undefined): void {
  if (!pid) return;
  livePids.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of livePids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export interface McpCallOptions {
  signal: AbortSignal;
  onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
}

/**
 * One MCP server: started on first use, restarted once if a stdio server dies, and closed
 * (child process and all) by `close`. Why a class: it owns a child process or a session
 * whose life is longer than any one call.
 */
export class McpConnection {
  readonly spec: McpServerSpec;
  readonly label: string;
  #client: Client | undefined;
  #starting: Promise<Client> | undefined;
  #stderr = '';
  #closed = false;
  #restarts = 0;
  #pid: number | undefined;
  /** Called with the server's new tool list after a `notifications/tools/list_changed`. */
  onToolsChanged: ((tools: McpToolDefinition[]) => void) | undefined;

  constructor(spec: McpServerSpec) {
    this.spec = spec;
    this.label = describeSpec(spec);
  }

  /** The child's pid while a stdio server runs (tests kill it to see the restart). */
  get pid(): number | undefined {
    return this.#pid;
  }

  /** What the server wrote on stderr lately (the last few thousand characters). */
  get stderr(): string {
    return this.#stderr;
  }

  get restarts(): number {
    return this.#restarts;
  }

  /** Connects if not connected; concurrent callers share one start. */
  start(): Promise<Client> {
    if (this.#closed)
      return Promise.reject(new ConfigError('mcp_closed', `MCP server ${this.label} was closed`));
    if (this.#client) return Promise.resolve(this.#client);
    if (!this.#starting) {
      this.#starting = this.#connect().finally(() => {
        this.#starting = undefined;
      });
    }
    return this.#starting;
  }

  async listTools(signal?: AbortSignal): Promise<McpToolDefinition[]> {
    const client = await this.start();
    const tools: McpToolDefinition[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {}, signal ? { signal } : {});
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor && tools.length < 10_000);
    return tools;
  }

  async callTool(name: string, args: unknown, options: McpCallOptions): Promise<CallToolResult> {
    const client = await this.#usableClient();
    // The SDK never removes the abort listener it adds, so it gets a signal of its own per
    // call: a long map sharing one frame signal must not pile up listeners on it.
    const own = new AbortController();
    const forward = () => own.abort(options.signal.reason);
    if (options.signal.aborted) forward();
    else options.signal.addEventListener('abort', forward, { once: true });
    try {
      const result = await client.callTool(
        { name, arguments: (args ?? {}) as Record<string, unknown> },
        CallToolResultSchema,
        {
          signal: own.signal,
          timeout: this.spec.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
          resetTimeoutOnProgress: true,
          ...(options.onProgress ? { onprogress: options.onProgress } : {}),
        },
      );
      return result as CallToolResult;
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason;
      throw this.#callError(name, error);
    } finally {
      options.signal.removeEventListener('abort', forward);
    }
  }

  /** Closes the session and ends the child process; safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client ?? (await this.#starting?.catch(() => undefined));
    this.#client = undefined;
    await client?.close().catch(() => {});
    if (this.#pid) livePids.delete(this.#pid);
  }

  async #usableClient(): Promise<Client> {
    if (this.#client || this.#starting || !this.#everStarted) return this.start();
    // It was running and died: one restart, then the failure is the server's.
    if (this.#restarts >= 1) {
      throw new ToolError(
        `MCP server ${this.label} stopped again after a restart; not restarting it twice${this.#stderrNote()}`,
        { code: 'mcp_server_down', retryable: false, details: { server: this.label } },
      );
    }
    this.#restarts++;
    return this.start();
  }

  #everStarted = false;

  async #connect(): Promise<Client> {
    const spec = this.spec;
    try {
      const client = spec.url ? await this.#connectHttp(spec.url) : await this.#connectStdio();
      this.#everStarted = true;
      return client;
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConfigError(
        'mcp_start_failed',
        `MCP server ${this.label} failed to start: ${untrustedText(reason, 300)}${this.#stderrNote()}`,
        {
          cause: error,
          details: { server: this.label, stderr: untrustedText(this.#stderr, 2000) },
        },
      );
    }
  }

  #newClient(): Client {
    const client = new Client(CLIENT_INFO, {
      capabilities: {},
      // Output checks without generated code: MCP schemas are untrusted input.
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
      listChanged: {
        tools: {
          onChanged: (error, tools) => {
            if (!error && tools) this.onToolsChanged?.(tools);
          },
        },
      },
    });
    client.onclose = () => {
      // An end nobody asked for: the next call restarts it (once).
      if (this.#client === client) this.#client = undefined;
      if (this.#pid) livePids.delete(this.#pid);
    };
    return client;
  }

  async #connectStdio(): Promise<Client> {
    const spec = this.spec;
    if (!spec.command)
      throw new ConfigError('bad_mcp_spec', `MCP server ${this.label}: no command`);
    const transport = new StdioClientTransport({
      command: spec.command,
      args: spec.args ?? [],
      env: { ...getDefaultEnvironment(), ...(spec.env ?? {}) },
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
      stderr: 'pipe',
    });
    this.#stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    const client = this.#newClient();
    try {
      await client.connect(transport);
    } catch (error) {
      await transport.close().catch(() => {});
      // Give stderr a moment to arrive: the reason a server died is usually there.
      await new Promise((r) => setTimeout(r, 50));
      throw error;
    }
    this.#pid = transport.pid ?? undefined;
    trackPid(this.#pid);
    this.#client = client;
    return client;
  }

  async #connectHttp(url: string): Promise<Client> {
    const mode = this.spec.transport ?? 'auto';
    const attempt = async (transport: Transport): Promise<Client> => {
      const client = this.#newClient();
      try {
        await client.connect(transport);
      } catch (error) {
        await client.close().catch(() => {});
        throw error;
      }
      this.#client = client;
      return client;
    };
    if (mode === 'sse') return attempt(new SSEClientTransport(new URL(url)));
    try {
      return await attempt(new StreamableHTTPClientTransport(new URL(url)));
    } catch (error) {
      if (mode === 'http') throw error;
      // The documented fallback for servers that only speak the 2024-11-05 HTTP+SSE transport.
      try {
        return await attempt(new SSEClientTransport(new URL(url)));
      } catch {
        throw error;
      }
    }
  }

  #stderrNote(): string {
    const tail = this.#stderr.trim();
    return tail ? `; its stderr ends with: ${untrustedText(tail.slice(-600), 600)}` : '';
  }

  #callError(name: string, error: unknown): ToolError {
    if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
      return new ToolError(
        `MCP server ${this.label} closed the connection during a call of ${name}${this.#stderrNote()}`,
        { code: 'mcp_server_crashed', cause: error, details: { server: this.label, tool: name } },
      );
    }
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      return new ToolError(`MCP tool ${name} on ${this.label} did not answer in time`, {
        code: 'mcp_timeout',
        cause: error,
        details: { server: this.label, tool: name },
      });
    }
    const message = error instanceof Error ? error.message : String(error);
    return new ToolError(
      `MCP tool ${name} on ${this.label} failed: ${untrustedText(message, 500)}`,
      {
        code: 'mcp_call_failed',
        cause: error,
        details: { server: this.label, tool: name },
      },
    );
  }
}
