import type { Command } from 'commander';
import { DEFAULT_JOURNAL_DIR, FileJournalStore } from '../exec/file-journal-store.ts';
import type { JournalStore } from '../exec/journal-store.ts';
import { runTask } from '../loop/run-task.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import { loadCliTools, type ToolSources } from '../tool/tool-sources.ts';
import { addToolsOption } from './cli-options.ts';
import { type ModelCliOptions, modelFromOptions } from './loop-support.ts';

/**
 * `toolplan mcp --tools MODULE... [--mcp SPEC]... [--http PORT] [--journal DIR]
 * [--provider P] [--model M] [--cassette F]`: toolplan as an MCP server. stdio by default
 * (stdout carries only MCP messages); `--http PORT` serves Streamable HTTP on 127.0.0.1.
 * `run_task` is offered only when an LLM is configured.
 */
interface McpCliOptions extends ToolSources, ModelCliOptions {
  http?: string;
  journal?: string;
}

export function registerMcpCommand(program: Command): void {
  addToolsOption(
    program
      .command('mcp')
      .description(
        'serve the tools and plans as an MCP server (stdio, or --http PORT on 127.0.0.1)',
      ),
  )
    .option('--http <port>', 'serve Streamable HTTP on 127.0.0.1:PORT/mcp (0: any free port)')
    .option('--journal <dir>', 'journal folder', DEFAULT_JOURNAL_DIR)
    .option(
      '--provider <name>',
      'LLM for run_task: openai or anthropic (default: from the environment)',
    )
    .option('--model <id>', 'model id for run_task')
    .option('--cassette <file>', 'run_task replays LLM responses from this cassette')
    .action(async (options: McpCliOptions) => {
      process.exitCode = await runMcpServer(options);
    });
}

export const register = registerMcpCommand;

function taskRunner(options: McpCliOptions, registry: ToolRegistry, store: JournalStore) {
  let model: ReturnType<typeof modelFromOptions>['model'];
  try {
    model = modelFromOptions(options).model;
  } catch {
    // No provider configured: the server simply offers no run_task.
    return undefined;
  }
  return async (task: string, signal: AbortSignal) => {
    const r = await runTask(task, { model, tools: registry, store, signal });
    return {
      status: r.status,
      ...(r.answer !== undefined ? { answer: r.answer } : {}),
      ...(r.error ? { error: { name: r.error.name, message: r.error.message } } : {}),
      tool_calls: r.toolCalls.length,
    };
  };
}

export async function runMcpServer(options: McpCliOptions): Promise<number> {
  let registry: ToolRegistry;
  try {
    registry = await loadCliTools(options);
  } catch (error) {
    process.stderr.write(`toolplan: ${(error as Error).name}: ${(error as Error).message}\n`);
    return 2;
  }
  const { createToolplanServer } = await import('../mcp/toolplan-server.ts');
  const { serveHttp, serveStdio } = await import('../mcp/serve-mcp.ts');
  const store = new FileJournalStore(options.journal ?? DEFAULT_JOURNAL_DIR);
  const runTaskFn = taskRunner(options, registry, store);
  const make = () =>
    createToolplanServer({ registry, store, ...(runTaskFn ? { runTask: runTaskFn } : {}) });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (options.http === undefined) {
      await serveStdio(make(), stop.signal);
      return 0;
    }
    const port = Number(options.http);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write(
        `toolplan: --http must be a port number, got ${JSON.stringify(options.http)}\n`,
      );
      return 2;
    }
    const handle = await serveHttp(make, port);
    process.stderr.write(`toolplan: MCP server listening on ${handle.url}\n`);
    await new Promise<void>((resolve) =>
      stop.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    await handle.close();
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await store.closeAll().catch(() => {});
  }
}
