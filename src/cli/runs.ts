import type { Command } from 'commander';
import { DEFAULT_JOURNAL_DIR, FileJournalStore } from '../exec/file-journal-store.ts';
import type { CliIo } from './exec.ts';
import { printRows, printTimeline, type RunRow, rowOf } from './run-rows.ts';

export { formatRows, printRows, printTimeline, type RunRow, rowOf } from './run-rows.ts';

/**
 * `toolplan runs [--journal DIR | --redis URL]` lists runs; `toolplan runs show RUN_ID`
 * prints a timeline. With `--redis`, the runs of the Redis run index (shared runs).
 */
export function registerRunsCommand(program: Command): void {
  const runs = program
    .command('runs')
    .description('list journaled runs (id, status, start time, node counts)')
    .option('--journal <dir>', 'journal folder', DEFAULT_JOURNAL_DIR)
    .option('--json', 'print JSON')
    .option(
      '--redis <url>',
      'the runs in Redis instead, e.g. toolplan runs --redis redis://127.0.0.1:6379',
    )
    .action(async (options: { journal: string; json?: boolean; redis?: string }) => {
      if (options.redis) {
        const { listRedisRuns } = await import('./runs-redis.ts');
        process.exitCode = await listRedisRuns(options.redis, options.json === true);
      } else process.exitCode = await listRuns(options.journal, options.json === true);
    });
  runs
    .command('show')
    .description("print a run's timeline from its journal")
    .argument('<runId>')
    .option('--journal <dir>', 'journal folder')
    .option('--redis <url>', 'a run in Redis, e.g. --redis redis://127.0.0.1:6379')
    .action(async (runId: string, options: { journal?: string; redis?: string }) => {
      const redis = options.redis ?? runs.opts().redis;
      if (redis) {
        const { showRedisRun } = await import('./runs-redis.ts');
        process.exitCode = await showRedisRun(runId, redis);
        return;
      }
      process.exitCode = await showRun(
        runId,
        options.journal ?? runs.opts().journal ?? DEFAULT_JOURNAL_DIR,
      );
    });
  runs
    .command('cancel')
    .description('cancel a run in Redis, whichever process owns it (--redis only)')
    .argument('<runId>')
    .option('--redis <url>', 'the Redis of the run, e.g. --redis redis://127.0.0.1:6379')
    .action(async (runId: string, options: { redis?: string }) => {
      const redis = options.redis ?? runs.opts().redis;
      if (!redis) {
        process.stderr.write(
          'toolplan: runs cancel needs --redis URL (a local run is cancelled by its process: Ctrl-C)\n',
        );
        process.exitCode = 2;
        return;
      }
      const { cancelRedisRun } = await import('./runs-redis.ts');
      process.exitCode = await cancelRedisRun(runId, redis);
    });
}

export const register = registerRunsCommand;

export async function listRuns(
  dir: string,
  json: boolean,
  io: Pick<CliIo, 'stdout' | 'stderr'> = process,
): Promise<number> {
  const store = new FileJournalStore(dir);
  const rows: RunRow[] = [];
  for (const id of await store.list()) rows.push(await rowOf(store, id, `--journal ${dir}`));
  printRows(rows, json, dir, io);
  return 0;
}

export async function showRun(
  runId: string,
  dir: string,
  io: Pick<CliIo, 'stdout' | 'stderr'> = process,
): Promise<number> {
  return printTimeline(new FileJournalStore(dir), runId, dir, io);
}
