import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ToolplanError } from '../errors/toolplan-error.ts';
import { type ExecuteOptions, executePlan, newRunId } from '../exec/execute-plan.ts';
import { DEFAULT_JOURNAL_DIR, FileJournalStore } from '../exec/file-journal-store.ts';
import { RunLeasedError } from '../exec/journal-errors.ts';
import { thisProcess } from '../exec/journal-lease.ts';
import { type HeldLease, holdLease } from '../exec/lease-keeper.ts';
import type { RunLimits } from '../exec/limits.ts';
import { ProgressReporter } from '../exec/progress-reporter.ts';
import type { RunResult } from '../exec/run-result.ts';
import { cliTracing } from '../telemetry/cli-tracing.ts';
import { loadCliTools } from '../tool/tool-sources.ts';
import { checkPlanInput, inputFieldsRead } from '../validate/check-input.ts';
import { validatePlan } from '../validate/index.ts';
import { jsonFault, lineColumn } from '../validate/parse-plan-text.ts';
import { approvalQuestion } from './approval-question.ts';
import { addMaxConcurrencyOption, addToolsOption } from './cli-options.ts';
import { cancelOnSigint } from './interrupt.ts';
import { issueLines } from './print-issues.ts';
import { writeRunReport } from './run-report.ts';
import { terminalApprover } from './terminal-approver.ts';

/**
 * `toolplan exec PLAN --tools MODULE... [--input JSON] [--run-id ID] [--journal DIR] [--json]`
 * stdout: only the plan's output as JSON (with --json: NDJSON events instead, the output in
 * the last). stderr: progress and messages for a person.
 * Exit 0 succeeded, 1 failed, 2 invalid plan or usage, 3 suspended for approval.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, suspended: 3 } as const;

export interface ExecCliOptions {
  tools: string[];
  input?: string;
  runId?: string;
  journal?: string;
  json?: boolean;
  redis?: string;
  report?: string;
  maxConcurrency?: number;
}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export function registerExecCommand(program: Command): void {
  addMaxConcurrencyOption(
    addToolsOption(
      program
        .command('exec')
        .description('run a plan file with no LLM, durably journaled')
        .argument('<plan>', 'plan file (JSON), or - for stdin'),
    ),
  )
    .option('--input <json>', 'the run input, as JSON')
    .option('--run-id <id>', 'name the run (default: generated)')
    .option('--journal <dir>', 'journal folder', DEFAULT_JOURNAL_DIR)
    .option(
      '--json',
      'NDJSON events on stdout, one a line; the output is in the last (run.finished)',
    )
    .option('--redis <url>', 'journal in Redis, every call on `toolplan worker`s (see README)')
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
  } catch {
    const fault = jsonFault(text);
    const { line, column } = lineColumn(text, fault.offset);
    throw new UsageError(
      `plan ${path} is not valid JSON at line ${line}, column ${column}: ${fault.what}`,
    );
  }
}

/** The caps the command line sets on a run (none: the executor's defaults). */
export function callerLimits(options: { maxConcurrency?: number }): RunLimits {
  return options.maxConcurrency === undefined ? {} : { max_concurrency: options.maxConcurrency };
}

/** How the user names the tools again in a resume command they are told to type. */
function toolsArgs(tools: readonly string[] | undefined): string {
  return tools && tools.length > 0 ? tools.map((t) => `--tools ${t}`).join(' ') : '--tools ...';
}

/** Prints a result the CLI way and returns the exit code. */
export function reportResult(
  result: RunResult,
  io: CliIo,
  journalDir: string,
  tools?: readonly string[],
  json = false,
): number {
  const resume = `toolplan resume ${result.runId} --journal ${journalDir} ${toolsArgs(tools)}`;
  switch (result.status) {
    case 'succeeded':
      if (!json) io.stdout.write(`${JSON.stringify(result.output, null, 2)}\n`);
      return EXIT.ok;
    case 'suspended': {
      const nodes = [...new Set(result.waiting.map((w) => w.node))];
      io.stderr.write(
        `toolplan: run ${result.runId} is suspended, waiting for approval of: ${result.waiting
          .map((w) => `${w.key} (${w.tool} ${JSON.stringify(w.args)})`)
          .join(', ')}\n  continue: ${resume} ${nodes.map((n) => `--approve ${n}`).join(' ')}\n`,
      );
      return EXIT.suspended;
    }
    case 'cancelled':
      io.stderr.write(
        `toolplan: run ${result.runId} was cancelled; finished nodes are kept in its journal.\n  continue it: ${resume}\n`,
      );
      return EXIT.failed;
    default: {
      const e = result.error;
      const usage = e.name === 'ConfigError';
      io.stderr.write(
        `toolplan: ${e.name}: ${e.message}${e.node && !e.message.includes(`(node ${e.node})`) ? ` (node ${e.node})` : ''}\n`,
      );
      if (!usage)
        io.stderr.write(
          `  run ${result.runId}: toolplan runs show ${result.runId} --journal ${journalDir}\n`,
        );
      return usage ? EXIT.usage : EXIT.failed;
    }
  }
}

function parseInput(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    const fault = jsonFault(text);
    throw new UsageError(`--input is not valid JSON at column ${fault.offset + 1}: ${fault.what}`);
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
  let registry: Awaited<ReturnType<typeof loadCliTools>>;
  try {
    plan = await readPlanFile(planPath, io);
    input = parseInput(options.input);
    registry = await loadCliTools(options);
    const checked = validatePlan(plan, registry);
    if (!checked.valid) {
      for (const line of issueLines(checked.issues, options.tools.length > 0))
        io.stderr.write(`${line}\n`);
      io.stderr.write('toolplan: the plan is invalid; nothing was run\n');
      return EXIT.usage;
    }
    // No --input is an empty input to the checks (the run itself gets null, as before).
    const problems = checkPlanInput(plan, input ?? {});
    if (problems.length > 0) {
      const fields = [...inputFieldsRead(plan)].map((f) => `"${f}": ...`).join(', ');
      throw new UsageError(
        `${options.input === undefined ? 'the plan needs an --input' : '--input does not fit the plan'}: ${problems.join('; ')}. Nothing was run.${fields ? ` Pass it as --input '{${fields}}'.` : ''}`,
      );
    }
  } catch (error) {
    io.stderr.write(
      `toolplan: ${(error as Error).name === 'UsageError' || error instanceof UsageError ? 'usage' : (error as Error).name}: ${(error as Error).message}\n`,
    );
    return EXIT.usage;
  }
  if (options.redis) {
    const { execOnRedis } = await import('../redis/redis-cli.ts');
    return execOnRedis(
      plan,
      { tools: registry, input, runId: options.runId },
      { ...(options as { redis: string }), limits: callerLimits(options) },
      io,
      (r) => reportResult(r, io, 'redis', options.tools, options.json),
    );
  }
  const runId = options.runId ?? newRunId();
  const code = await runReported(
    io,
    journalDir,
    options.json,
    { runId, owner: 'toolplan exec', tools: options.tools },
    (common) =>
      executePlan(plan, {
        ...common,
        tools: registry,
        input,
        runId,
        limits: callerLimits(options),
      }),
  );
  if (options.report) await writeRunReport(options.report, journalDir, runId, io);
  return code;
}

/**
 * What `exec` and `resume` share once the run is set up: the run's lease (one writer per
 * run: a second exec or resume of it exits 1 naming the holder), progress on stderr, Ctrl-C
 * to cancel, approvals asked on the terminal when there is one, the journal's files closed,
 * and the result printed with its exit code. `start` may return an exit code instead of a
 * result when it refused to run (it has printed why).
 */
export async function runReported(
  io: CliIo,
  journalDir: string,
  json: boolean | undefined,
  run: { runId: string; owner: string; tools?: readonly string[] },
  start: (
    common: Required<Pick<ExecuteOptions, 'store' | 'signal' | 'onEvent'>> &
      Pick<ExecuteOptions, 'approve' | 'stopSignal' | 'onCompensating'>,
  ) => Promise<RunResult | number>,
): Promise<number> {
  const files = new FileJournalStore(journalDir);
  let held: HeldLease;
  try {
    held = await holdLease(files, run.runId, thisProcess(run.owner));
  } catch (error) {
    const leased = error instanceof RunLeasedError;
    io.stderr.write(
      `toolplan: ${error instanceof ToolplanError ? error.name : 'error'}: ${(error as Error).message}\n`,
    );
    return leased ? EXIT.failed : EXIT.usage;
  }
  try {
    return await reportedWith(io, journalDir, json, held, run, start);
  } finally {
    await held.release().catch(() => {});
    await files.closeAll().catch(() => {});
  }
}

async function reportedWith(
  io: CliIo,
  journalDir: string,
  json: boolean | undefined,
  held: HeldLease,
  run: Parameters<typeof runReported>[3],
  start: Parameters<typeof runReported>[4],
): Promise<number> {
  // --json: NDJSON events on stdout, as `run --json` writes them; the output is in the
  // last one (`run.finished`). Text for a person stays on stderr.
  const reporter = json
    ? new ProgressReporter(io.stdout, 'json', run.runId)
    : new ProgressReporter(io.stderr, io.stderr.isTTY ? 'live' : 'plain', run.runId);
  const sigint = cancelOnSigint(() => reporter.runId);
  const store = held.store;
  const tracing = await cliTracing('toolplan exec');
  try {
    const result = await start({
      store,
      signal: AbortSignal.any([sigint.signal, held.lost]),
      stopSignal: AbortSignal.any([sigint.stopSignal, held.lost]),
      onCompensating: sigint.onCompensating,
      onEvent: tracing.runEvents(reporter.onEvent),
      approve: terminalApprover(io.stdin, io.stderr, {
        question: (req) => `\n${approvalQuestion(req, { showKey: true })}`,
        abortable: true,
      }),
    });
    reporter.finish();
    if (typeof result === 'number') return result;
    return reportResult(result, io, journalDir, run.tools, json);
  } finally {
    sigint.dispose();
    await tracing.shutdown();
  }
}
