import type { Command } from 'commander';
import type { RunEvent } from '../exec/events.ts';
import { resumeRun } from '../exec/execute-plan.ts';
import { DEFAULT_JOURNAL_DIR } from '../exec/file-journal-store.ts';
import { checkJournalFormat } from '../exec/journal-format.ts';
import type { JournalStore } from '../exec/journal-store.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import { loadCliTools } from '../tool/tool-sources.ts';
import { validatePlan } from '../validate/index.ts';
import { addMaxConcurrencyOption, addToolsOption, collect } from './cli-options.ts';
import { type CliIo, callerLimits, EXIT, reportResult, runReported } from './exec.ts';

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
  redis?: string;
  maxConcurrency?: number;
}

export function registerResumeCommand(program: Command): void {
  addMaxConcurrencyOption(
    addToolsOption(
      program
        .command('resume')
        .description('continue a run from its journal (after a crash, Ctrl-C or an approval)')
        .argument('<runId>', 'the run to continue'),
    ),
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
    .option('--redis <url>', 'a run in Redis: approve it from any process, or take it over')
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
  if (options.redis) {
    const { resumeOnRedis } = await import('../redis/redis-cli.ts');
    const run = { tools: registry, approve: options.approve ?? [], deny: options.deny ?? [] };
    return resumeOnRedis(
      runId,
      run,
      { ...(options as { redis: string }), limits: callerLimits(options) },
      io,
      (r) => reportResult(r, io, 'redis'),
    );
  }
  return runReported(
    io,
    journalDir,
    options.json,
    { runId, owner: 'toolplan resume', tools: options.tools },
    async (common) => {
      const refused = await checkResumable(runId, common.store, registry, io);
      if (refused !== undefined) return refused;
      return resumeRun(runId, {
        ...common,
        tools: registry,
        limits: callerLimits(options),
        approveNodes: options.approve ?? [],
        denyNodes: options.deny ?? [],
      });
    },
  );
}

/**
 * What must hold before `run.resumed` is written, checked under the lease so nobody changes
 * the journal meanwhile: it reads cleanly (no damaged line, not from a newer toolplan), and
 * its plan is valid against the tools given now. A wrong `--tools` used to be journaled as
 * a terminal UnknownTool failure; now it is a usage error and the run is left untouched.
 */
async function checkResumable(
  runId: string,
  store: JournalStore,
  registry: ToolRegistry,
  io: CliIo,
): Promise<number | undefined> {
  let events: RunEvent[];
  try {
    events = await store.read(runId);
    checkJournalFormat(runId, events);
  } catch (error) {
    io.stderr.write(`toolplan: ${(error as Error).name}: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  const started = events[0];
  if (started?.type !== 'run.started') return undefined; // resumeRun says what is wrong
  const checked = validatePlan(started.plan, registry);
  if (checked.valid) return undefined;
  for (const i of checked.issues)
    if (i.severity === 'error') io.stderr.write(`error ${i.path || '/'} ${i.code}: ${i.message}\n`);
  io.stderr.write(
    `toolplan: run ${runId}'s plan does not fit the tools given with --tools (${registry.names().join(', ') || 'none'}); pass the tools module the run was started with. Nothing was run and the journal is unchanged.\n`,
  );
  return EXIT.usage;
}
