import type { Command } from 'commander';
import { DEFAULT_JOURNAL_DIR, FileJournalStore } from '../exec/file-journal-store.ts';
import { describeEvent } from '../exec/progress-reporter.ts';
import { countByStatus, foldEvents } from '../exec/run-state.ts';
import type { CliIo } from './exec.ts';

/** `toolplan runs [--journal DIR]` lists runs; `toolplan runs show RUN_ID` prints a timeline. */
export function registerRunsCommand(program: Command): void {
  const runs = program
    .command('runs')
    .description('list journaled runs (id, status, start time, node counts)')
    .option('--journal <dir>', 'journal folder', DEFAULT_JOURNAL_DIR)
    .option('--json', 'print JSON')
    .action(async (options: { journal: string; json?: boolean }) => {
      process.exitCode = await listRuns(options.journal, options.json === true);
    });
  runs
    .command('show')
    .description("print a run's timeline from its journal")
    .argument('<runId>')
    .option('--journal <dir>', 'journal folder')
    .action(async (runId: string, options: { journal?: string }) => {
      process.exitCode = await showRun(
        runId,
        options.journal ?? runs.opts().journal ?? DEFAULT_JOURNAL_DIR,
      );
    });
}

export const register = registerRunsCommand;

export async function listRuns(
  dir: string,
  json: boolean,
  io: Pick<CliIo, 'stdout' | 'stderr'> = process,
): Promise<number> {
  const store = new FileJournalStore(dir);
  const rows = [];
  for (const id of await store.list()) {
    const state = foldEvents(await store.read(id), id);
    rows.push({
      id,
      status: state.status ?? 'unknown',
      started: state.startedAt ? new Date(state.startedAt).toISOString() : '',
      nodes: countByStatus(state),
    });
  }
  if (json) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else if (rows.length === 0) io.stderr.write(`no runs in ${dir}\n`);
  else {
    for (const r of rows) {
      const counts = Object.entries(r.nodes)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      io.stdout.write(`${r.id}  ${r.status.padEnd(9)}  ${r.started}  ${counts}\n`);
    }
  }
  return 0;
}

export async function showRun(
  runId: string,
  dir: string,
  io: Pick<CliIo, 'stdout' | 'stderr'> = process,
): Promise<number> {
  const store = new FileJournalStore(dir);
  let events: Awaited<ReturnType<FileJournalStore['read']>>;
  try {
    events = await store.read(runId);
  } catch (error) {
    io.stderr.write(`toolplan: ${(error as Error).message}\n`);
    return 2;
  }
  if (events.length === 0) {
    io.stderr.write(`toolplan: no run ${runId} in ${dir}\n`);
    return 2;
  }
  const t0 = events[0]!.at;
  for (const e of events) {
    const line = describeEvent(e, t0);
    if (line) io.stdout.write(`${line}\n`);
  }
  return 0;
}
