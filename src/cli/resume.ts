import type { Command } from 'commander';
import { resumeRun } from '../exec/execute-plan.ts';
import { DEFAULT_JOURNAL_DIR } from '../exec/file-journal-store.ts';
import { loadCliTools } from '../tool/tool-sources.ts';
import { addToolsOption, collect } from './cli-options.ts';
import { type CliIo, EXIT, runReported } from './exec.ts';

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

export function registerResumeCommand(program: Command): void {
  addToolsOption(
    program
      .command('resume')
      .description('continue a run from its journal (after a crash, Ctrl-C or an approval)')
      .argument('<runId>', 'the run to continue'),
  )
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
  let registry: Awaited<ReturnType<typeof loadCliTools>>;
  try {
    registry = await loadCliTools(options);
  } catch (error) {
    io.stderr.write(`toolplan: ${(error as Error).name}: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  return runReported(io, journalDir, options.json, (common) =>
    resumeRun(runId, {
      ...common,
      tools: registry,
      approveNodes: options.approve ?? [],
      denyNodes: options.deny ?? [],
    }),
  );
}
