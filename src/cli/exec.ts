import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type ExecuteOptions, executePlan } from '../exec/execute-plan.ts';
import { DEFAULT_JOURNAL_DIR, FileJournalStore } from '../exec/file-journal-store.ts';
import { ProgressReporter } from '../exec/progress-reporter.ts';
import type { RunResult } from '../exec/run-result.ts';
import { cliTracing } from '../telemetry/cli-tracing.ts';
import { loadRegistry } from '../tool/load-tools-module.ts';
import { validatePlan } from '../validate/index.ts';
import { addToolsOption } from './cli-options.ts';
import { cancelOnSigint } from './interrupt.ts';
import { writeRunReport } from './run-report.ts';
import { terminalApprover } from './terminal-approver.ts';

/**
 * `toolplan exec PLAN --tools MODULE... [--input JSON] [--run-id ID] [--journal DIR] [--json]`
 * stdout: only the plan's output as JSON. stderr: progress (NDJSON events with --json).
 * Exit 0 succeeded, 1 failed, 2 invalid plan or usage, 3 suspended for approval.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, suspended: 3 } as const;

export interface ExecCliOptions {
  tools: string[];
  input?: string;
  runId?: string;
  journal?: string;
  json?: boolean;
  report?: string;
}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export function registerExecCommand(program: Command): void {
  addToolsOption(
    program
      .command('exec')
      .description('run a plan file with no LLM, durably journaled')
      .argument('<plan>', 'plan file (JSON), or - for stdin'),
  )
    .option('--input <json>', 'the run input, as JSON')
    .option('--run-id <id>', 'name the run (default: generated)')
    .option('--journal <dir>', 'journal folder', DEFAULT_JOURNAL_DIR)
    .option('--json', 'progress on stderr as NDJSON events')
    .option(
      '--report <file>',
      "write the run's HTML report (graph, timeline, outputs) to this file",
    )
    .action(async (plan: string, options: ExecCliOptions) => {
      process.exitCode = await runExec(plan, options);
    });
}

export const register = registerExecCommand;

class UsageError extends Error {}

async function readPlanFile(path: string, io: CliIo): Promise<unknown> {
  let text: string;
  try {
    if (path === '-') {
      const chunks: Buffer[] = [];
      for await (const c of io.stdin) chunks.push(Buffer.from(c as Buffer));
      text = Buffer.concat(chunks).toString('utf8');
    } else text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read plan ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`plan ${path} is not JSON: ${(error as Error).message}`);
  }
}

/** Prints a result the CLI way and returns the exit code. */
export function reportResult(result: RunResult, io: CliIo, journalDir: string): number {
  switch (result.status) {
    case 'succeeded':
      io.stdout.write(`${JSON.stringify(result.output, null, 2)}\n`);
      return EXIT.ok;
    case 'suspended': {
      const nodes = [...new Set(result.waiting.map((w) => w.node))];
      io.stderr.write(
        `toolplan: run ${result.runId} is suspended, waiting for approval of: ${result.waiting
          .map((w) => `${w.key} (${w.tool} ${JSON.stringify(w.args)})`)
          .join(
            ', ',
          )}\n  continue: toolplan resume ${result.runId} --journal ${journalDir} --tools ... ${nodes
          .map((n) => `--approve ${n}`)
          .join(' ')}\n`,
      );
      return EXIT.suspended;
    }
    default: {
      const e = result.error;
      const usage = e.name === 'ConfigError';
      io.stderr.write(
        `toolplan: ${e.name}: ${e.message}${e.node && !e.message.includes(`(node ${e.node})`) ? ` (node ${e.node})` : ''}\n`,
      );
      if (result.status === 'failed' && !usage)
        io.stderr.write(
          `  run ${result.runId}: toolplan runs show ${result.runId} --journal ${journalDir}\n`,
        );
      return usage ? EXIT.usage : EXIT.failed;
    }
  }
}

export async function runExec(
  planPath: string,
  options: ExecCliOptions,
  io: CliIo = process,
): Promise<number> {
  const journalDir = options.journal ?? DEFAULT_JOURNAL_DIR;
  let plan: unknown;
  let input: unknown = null;
  let registry: Awaited<ReturnType<typeof loadRegistry>>;
  try {
    plan = await readPlanFile(planPath, io);
    if (options.input !== undefined) {
      try {
        input = JSON.parse(options.input);
      } catch (error) {
        throw new UsageError(`--input is not JSON: ${(error as Error).message}`);
      }
    }
    registry = await loadRegistry(options.tools);
    const checked = validatePlan(plan, registry);
    if (!checked.valid) {
      for (const i of checked.issues)
        io.stderr.write(`${i.severity} ${i.path || '/'} ${i.code}: ${i.message}\n`);
      io.stderr.write('toolplan: the plan is invalid; nothing was run\n');
      return EXIT.usage;
    }
  } catch (error) {
    io.stderr.write(
      `toolplan: ${(error as Error).name === 'UsageError' || error instanceof UsageError ? 'usage' : (error as Error).name}: ${(error as Error).message}\n`,
    );
    return EXIT.usage;
  }
  let ranId: string | undefined;
  const code = await runReported(io, journalDir, options.json, async (common) => {
    const result = await executePlan(plan, {
      ...common,
      tools: registry,
      input,
      runId: options.runId,
    });
    ranId = result.runId;
    return result;
  });
  if (options.report && ranId) await writeRunReport(options.report, journalDir, ranId, io);
  return code;
}

/**
 * What `exec` and `resume` share once the run is set up: progress on stderr, Ctrl-C to
 * cancel, approvals asked on the terminal when there is one, the journal's files closed,
 * and the result printed with its exit code.
 */
export async function runReported(
  io: CliIo,
  journalDir: string,
  json: boolean | undefined,
  start: (
    common: Required<Pick<ExecuteOptions, 'store' | 'signal' | 'onEvent'>> &
      Pick<ExecuteOptions, 'approve'>,
  ) => Promise<RunResult>,
): Promise<number> {
  const reporter = new ProgressReporter(
    io.stderr,
    json ? 'json' : io.stderr.isTTY ? 'live' : 'plain',
  );
  const sigint = cancelOnSigint();
  const store = new FileJournalStore(journalDir);
  const tracing = await cliTracing('toolplan exec');
  try {
    const result = await start({
      store,
      signal: sigint.signal,
      onEvent: tracing.runEvents(reporter.onEvent),
      approve: terminalApprover(io.stdin, io.stderr, {
        question: (req) =>
          `\napprove ${req.key}: call ${req.tool} with ${JSON.stringify(req.args)}? [y/N] `,
        abortable: true,
      }),
    });
    reporter.finish();
    return reportResult(result, io, journalDir);
  } finally {
    sigint.dispose();
    // executePlan and resumeRun close the run they wrote; this covers any other handle.
    await store.closeAll().catch(() => {});
    await tracing.shutdown();
  }
}
