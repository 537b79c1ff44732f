import type { Command } from 'commander';
import { resumeRun } from '../exec/execute-plan.ts';
import { DEFAULT_JOURNAL_DIR, FileJournalStore } from '../exec/file-journal-store.ts';
import { ProgressReporter } from '../exec/progress-reporter.ts';
import { loadRegistry } from '../tool/load-tools-module.ts';
import { type CliIo, cancelOnSigint, EXIT, reportResult, terminalApprover } from './exec.ts';

/**
 * `toolplan resume RUN_ID --tools MODULE [--journal DIR] [--approve NODE]... [--deny NODE]...`
 * Continues a killed, cancelled or suspended run from its journal. Same output and exit
 * codes as `exec`.
 */
export interface ResumeCliOptions {
  tools: string[];
  journal?: string;
  approve: string[];
  deny: string[];
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerResumeCommand(program: Command): void {
  program
    .command('resume')
    .description('continue a run from its journal (after a crash, Ctrl-C or an approval)')
    .argument('<runId>', 'the run to continue')
    .option('--tools <module>', 'module exporting `tools` (repeat for several)', collect, [])
    .option('--journal <dir>', 'journal folder', DEFAULT_JOURNAL_DIR)
    .option('--approve <node>', 'approve a waiting node (repeat)', collect, [])
    .option(
      '--deny <node>',
      'deny a waiting node: it fails with ApprovalDenied (repeat)',
      collect,
      [],
    )
    .option('--json', 'progress on stderr as NDJSON events')
    .action(async (runId: string, options: ResumeCliOptions) => {
      process.exitCode = await runResume(runId, options);
    });
}

export const register = registerResumeCommand;

export async function runResume(
  runId: string,
  options: ResumeCliOptions,
  io: CliIo = process,
): Promise<number> {
  const journalDir = options.journal ?? DEFAULT_JOURNAL_DIR;
  let registry: Awaited<ReturnType<typeof loadRegistry>>;
  try {
    registry = await loadRegistry(options.tools);
  } catch (error) {
    io.stderr.write(`toolplan: ${(error as Error).name}: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  const reporter = new ProgressReporter(
    io.stderr,
    options.json ? 'json' : io.stderr.isTTY ? 'live' : 'plain',
  );
  const sigint = cancelOnSigint();
  try {
    const result = await resumeRun(runId, {
      tools: registry,
      store: new FileJournalStore(journalDir),
      signal: sigint.signal,
      onEvent: reporter.onEvent,
      approveNodes: options.approve ?? [],
      denyNodes: options.deny ?? [],
      approve: io.stdin.isTTY ? terminalApprover(io) : undefined,
    });
    reporter.finish();
    return reportResult(result, io, journalDir);
  } finally {
    sigint.dispose();
  }
}
