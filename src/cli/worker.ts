import type { Command } from 'commander';
import { DEFAULT_QUEUE } from '../redis/job-codec.ts';
import { redactUrl } from '../redis/redis-cli.ts';
import { ToolWorker } from '../redis/tool-worker.ts';
import { loadRegistry } from '../tool/load-tools-module.ts';
import { addToolsOption, collect } from './cli-options.ts';
import { untilStopped } from './until-stopped.ts';

export interface WorkerCliOptions {
  tools: string[];
  redis: string;
  queue: string[];
  concurrency: string;
  lockMs: string;
  maxStalled: string;
  json?: boolean;
}

/**
 * `toolplan worker --tools M --redis URL [--queue Q]... [--concurrency N]`: serves tool calls
 * from BullMQ queues until SIGTERM/SIGINT (then finishes the calls it has and exits).
 */
export function register(program: Command): void {
  addToolsOption(
    program.command('worker').description('serve tool calls from a BullMQ queue on Redis'),
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
  try {
    const tools = await loadRegistry(options.tools);
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
    `toolplan worker: serving ${options.queue.length > 0 ? options.queue.join(', ') : DEFAULT_QUEUE} from ${redactUrl(options.redis)}\n`,
  );
  // Graceful: running calls finish. A second signal, or Redis gone for good, ends it anyway
  // (its calls are re-delivered to other workers after their lock expires).
  await untilStopped(Number(options.lockMs) + 10_000);
  await worker.close();
  return 0;
}
