import type { Command } from 'commander';
import { DEFAULT_QUEUE } from '../redis/job-codec.ts';
import { redactUrl } from '../redis/redis-cli.ts';
import { ToolWorker } from '../redis/tool-worker.ts';
import { loadCliTools } from '../tool/tool-sources.ts';
import { addToolsOption, collect } from './cli-options.ts';
import { untilStopped } from './until-stopped.ts';

export interface WorkerCliOptions {
  tools: string[];
  mcp?: string[];
  mcpConfig?: string;
  redis: string;
  queue: string[];
  concurrency: string;
  lockMs: string;
  maxStalled: string;
  json?: boolean;
}

/**
 * `toolplan worker --tools M [--mcp S]... --redis URL [--queue Q]... [--concurrency N]`:
 * serves tool calls from BullMQ queues until SIGTERM/SIGINT (then finishes the calls it has
 * and exits). `--mcp` servers are loaded as `exec --mcp` loads them, so their tools have the
 * same names on both sides; the coordinator given the same `--mcp` enqueues their calls.
 */
export function register(program: Command): void {
  addToolsOption(
    program
      .command('worker')
      .description('serve tool calls from a BullMQ queue on Redis')
      .addHelpText(
        'after',
        `
Examples:
  toolplan worker --tools ./tools/index.ts --redis redis://127.0.0.1:6379 --concurrency 16
  toolplan worker --mcp "fs=npx @modelcontextprotocol/server-filesystem /data" --redis redis://127.0.0.1:6379
    (the coordinator names the same server: toolplan exec plan.json --mcp "fs=..." --redis URL)
  toolplan worker --mcp "fs@files=npx @modelcontextprotocol/server-filesystem /data" --queue files --redis URL
    (name@queue=: that server's calls go to queue "files", served only by workers started with --queue files)`,
      ),
  )
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://127.0.0.1:6379')
    .option('--queue <name>', `queue to serve (repeat; default ${DEFAULT_QUEUE})`, collect, [])
    .option('--concurrency <n>', 'calls run at once by this process', '16')
    .option(
      '--lock-ms <ms>',
      'job lock: a dead worker’s calls are re-delivered after this',
      '30000',
    )
    .option('--max-stalled <n>', 'times a call may be recovered from a dead worker', '5')
    .option('--json', 'one NDJSON line per finished call on stderr')
    .action(async (options: WorkerCliOptions) => {
      process.exitCode = await runWorker(options);
    });
}

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

export async function runWorker(options: WorkerCliOptions): Promise<number> {
  let worker: ToolWorker;
  let count = 0;
  try {
    // The CLI's entry point closes the MCP servers once the worker has stopped.
    const tools = await loadCliTools(options);
    count = tools.names().length;
    if (count === 0)
      throw new Error(
        'no tools to serve: give --tools MODULE and/or --mcp SPEC (the ones the coordinator has)',
      );
    worker = new ToolWorker({
      url: options.redis,
      tools,
      queues: options.queue.length > 0 ? options.queue : [DEFAULT_QUEUE],
      concurrency: positive('--concurrency', options.concurrency),
      lockDurationMs: positive('--lock-ms', options.lockMs),
      maxStalledCount: positive('--max-stalled', options.maxStalled),
      onJob: options.json ? (e) => process.stderr.write(`${JSON.stringify(e)}\n`) : undefined,
    });
  } catch (error) {
    process.stderr.write(`toolplan: ${(error as Error).name}: ${(error as Error).message}\n`);
    return 2;
  }
  await worker.start();
  process.stderr.write(
    `toolplan worker: serving ${options.queue.length > 0 ? options.queue.join(', ') : DEFAULT_QUEUE} from ${redactUrl(options.redis)} (${count} tool(s))\n`,
  );
  // Graceful: running calls finish. A second signal, or Redis gone for good, ends it anyway
  // (its calls are re-delivered to other workers after their lock expires).
  await untilStopped(Number(options.lockMs) + 10_000);
  await worker.close();
  return 0;
}
