import type { Command } from 'commander';
import { ProgressReporter } from '../exec/progress-reporter.ts';
import { redactUrl } from '../redis/redis-cli.ts';
import { RunCoordinator } from '../redis/run-coordinator.ts';
import { loadRegistry } from '../tool/load-tools-module.ts';
import { addMaxConcurrencyOption, addToolsOption, wholeNumber } from './cli-options.ts';
import { callerLimits } from './exec.ts';
import { untilStopped } from './until-stopped.ts';

export interface CoordinatorCliOptions {
  tools: string[];
  redis: string;
  leaseMs: number;
  pollMs: number;
  json?: boolean;
  maxConcurrency?: number;
}

/**
 * `toolplan coordinator --tools M --redis URL`: takes over the runs in Redis whose owner
 * died (its lease expired) and runs them to the end, calls on the workers. On SIGTERM it
 * hands its runs back (leases freed, nothing journaled) for another coordinator.
 */
export function register(program: Command): void {
  addMaxConcurrencyOption(
    addToolsOption(
      program
        .command('coordinator')
        .description('take over and finish runs whose coordinator died'),
    ),
  )
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://127.0.0.1:6379')
    .option('--lease-ms <ms>', 'lease of the runs it owns', wholeNumber(100), 10_000)
    .option('--poll-ms <ms>', 'how often it looks for orphaned runs', wholeNumber(10), 1000)
    .option('--json', 'the runs’ events on stderr as NDJSON')
    .action(async (options: CoordinatorCliOptions) => {
      process.exitCode = await runCoordinator(options);
    });
}

export async function runCoordinator(options: CoordinatorCliOptions): Promise<number> {
  let coordinator: RunCoordinator;
  try {
    const reporter = new ProgressReporter(process.stderr, options.json ? 'json' : 'plain');
    coordinator = new RunCoordinator({
      url: options.redis,
      tools: await loadRegistry(options.tools),
      leaseMs: options.leaseMs,
      pollMs: options.pollMs,
      limits: callerLimits(options),
      onEvent: reporter.onEvent,
      onTakeover: (runId) => process.stderr.write(`toolplan coordinator: took over run ${runId}\n`),
      onRunEnd: (runId, r) =>
        process.stderr.write(`toolplan coordinator: run ${runId} ended ${r.status}\n`),
    });
  } catch (error) {
    process.stderr.write(`toolplan: ${(error as Error).name}: ${(error as Error).message}\n`);
    return 2;
  }
  coordinator.watch();
  process.stderr.write(
    `toolplan coordinator pid ${process.pid}: watching ${redactUrl(options.redis)}\n`,
  );
  await untilStopped(15_000);
  await coordinator.close(true);
  return 0;
}
