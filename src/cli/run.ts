import type { Command } from 'commander';
import { ConfigError } from '../errors/runtime-errors.ts';
import { isToolplanError } from '../errors/toolplan-error.ts';
import { DEFAULT_JOURNAL_DIR, FileJournalStore } from '../exec/file-journal-store.ts';
import type { JournalStore } from '../exec/journal-store.ts';
import type { LoopEvent } from '../loop/events.ts';
import type { PlanSyntax } from '../loop/planner.ts';
import type { TaskApproveFn as ApproveFn } from '../loop/ports.ts';
import { loadSuspendedTask, resumeTask } from '../loop/resume-task.ts';
import { runTask } from '../loop/run-task.ts';
import type { SavedTask } from '../loop/task-store.ts';
import type { TaskMode, TaskResult } from '../loop/task-types.ts';
import { cliTracing } from '../telemetry/cli-tracing.ts';
import { loadCliTools } from '../tool/tool-sources.ts';
import { cliErrorText, cliThrownText } from './cli-error-text.ts';
import { addModelOptions, addToolsOption, collect } from './cli-options.ts';
import { cancelOnSigint } from './interrupt.ts';
import { modelFromOptions, progressLine } from './loop-support.ts';
import { terminalApprover } from './terminal-approver.ts';

/**
 * `toolplan run "TASK" --tools MODULE...`: plans (or reacts), runs and answers. The answer
 * goes to stdout, progress to stderr; `--json` writes the loop's events as NDJSON instead.
 * Exit 0 answered, 1 failed, 2 usage/config or a plan that stayed invalid, 3 suspended.
 * A plan-mode task that suspends is saved next to the executor's journal, and
 * `toolplan run --resume TASK_ID --approve NODE` continues it (printed on stderr).
 */
export interface RunCliOptions {
  tools: string[];
  redis?: string;
  provider?: string;
  model?: string;
  mode?: string;
  syntax?: string;
  reactStyle?: string;
  cassette?: string;
  record?: boolean;
  json?: boolean;
  input?: string;
  maxLlmCalls?: string;
  deadlineMs?: string;
  journal?: string;
  resume?: string;
  approve?: string[];
  deny?: string[];
}

const RESUME_HELP = `
Approvals:
  A call that needs approval is asked on the terminal. With no terminal the task suspends
  (exit 3): it is saved under <journal>/tasks/, and the command that continues it is
  printed on stderr:
    toolplan run --resume TASK_ID --approve NODE --tools MODULE
  The waiting plan resumes from its journal (finished calls are not run again), then the
  loop carries on: a final plan's output is the answer, otherwise the LLM answers or
  re-plans from the results. Budgets continue from what was used (the deadline counts
  active time only). --deny NODE makes the call fail with ApprovalDenied; the LLM is told
  and answers or re-plans around it (or the task fails once re-plans are spent).
  On --resume the mode, syntax, budgets and input are the task's; --provider and --model
  default to the ones it started with; --cassette replays the rest of the conversation.`;

export function registerRunCommand(program: Command): void {
  const command = program
    .command('run')
    .description('plan and run a task with an LLM, and print the answer')
    .argument('[task]', 'what to do, in words (not with --resume)');
  addModelOptions(addToolsOption(command))
    .option('--resume <taskId>', 'continue a task that suspended waiting for approval')
    .option('--redis <url>', 'every call on `toolplan worker`s, the journal in Redis (see README)')
    .option('--approve <node>', 'with --resume: approve a waiting call (repeat)', collect, [])
    .option(
      '--deny <node>',
      'with --resume: deny a waiting call; it fails with ApprovalDenied and the LLM is told (repeat)',
      collect,
      [],
    )
    .option(
      '--journal <dir>',
      'journal folder (tasks are saved in its tasks/)',
      DEFAULT_JOURNAL_DIR,
    )
    .option('--react-style <style>', 'react mode: parallel or single', 'parallel')
    .option('--input <json>', 'the run input, a JSON object (`input` in plans)')
    .option('--max-llm-calls <n>', 'LLM call budget')
    .option('--deadline-ms <n>', 'wall-clock budget for the task')
    .option('--json', 'write events as NDJSON on stdout')
    .addHelpText('after', RESUME_HELP)
    .action(async (task: string | undefined, options: RunCliOptions) => {
      process.exitCode = await runRun(task, options);
    });
}

/** The name main.ts looks for. */
export const register = registerRunCommand;

export async function runRun(
  task: string | undefined,
  options: RunCliOptions,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process,
): Promise<number> {
  if (options.resume !== undefined || task === undefined) return resumeRunTask(task, options, io);
  let finish = async () => {};
  try {
    if (options.approve?.length || options.deny?.length)
      throw new ConfigError('bad_option', '--approve and --deny go with --resume TASK_ID');
    const mode = oneOf(options.mode ?? 'plan', ['plan', 'react'], '--mode') as TaskMode;
    const syntax = oneOf(options.syntax ?? 'json', ['json', 'compact'], '--syntax') as PlanSyntax;
    const reactStyle = oneOf(
      options.reactStyle ?? 'parallel',
      ['parallel', 'single'],
      '--react-style',
    ) as 'parallel' | 'single';
    const cli = modelFromOptions(options);
    finish = cli.finish;
    let registry = await loadCliTools(options);
    let store: JournalStore = new FileJournalStore(options.journal ?? DEFAULT_JOURNAL_DIR);
    if (options.redis) {
      const remote = (await import('../redis/redis-cli.ts')).remoteSetup(options.redis, registry);
      ({ tools: registry, store } = remote);
      const before = finish;
      finish = async () => {
        await remote.close();
        await before();
      };
    }
    const input = options.input === undefined ? undefined : parseInput(options.input);
    return await drive(options, io, finish, (wiring) =>
      runTask(task, {
        model: cli.model,
        tools: registry,
        mode,
        syntax,
        reactStyle,
        store,
        ...wiring,
        ...(input ? { input } : {}),
        budgets: {
          ...(options.maxLlmCalls ? { maxLlmCalls: Number(options.maxLlmCalls) } : {}),
          ...(options.deadlineMs ? { deadlineMs: Number(options.deadlineMs) } : {}),
        },
      }),
    );
  } catch (error) {
    await finish().catch(() => {});
    return reportError(error, io);
  }
}

/** `toolplan run --resume TASK_ID [--approve NODE]... [--deny NODE]...` */
async function resumeRunTask(
  task: string | undefined,
  options: RunCliOptions,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  let finish = async () => {};
  try {
    const taskId = options.resume;
    if (taskId === undefined)
      throw new ConfigError('bad_option', 'say what to do: toolplan run "TASK" --tools MODULE');
    if (task !== undefined)
      throw new ConfigError('bad_option', '--resume continues a saved task: give no new task');
    const store = new FileJournalStore(options.journal ?? DEFAULT_JOURNAL_DIR);
    const decisions = { approveNodes: options.approve ?? [], denyNodes: options.deny ?? [] };
    // Checked before a model is built: an unknown task needs no key to be reported.
    const saved = await loadSuspendedTask(taskId, { store, ...decisions });
    const cli = modelFromOptions({ ...options, ...savedModel(saved, options) });
    finish = cli.finish;
    const registry = await loadCliTools(options);
    return await drive(options, io, finish, (wiring) =>
      resumeTask(taskId, { model: cli.model, tools: registry, store, ...decisions, ...wiring }),
    );
  } catch (error) {
    await finish().catch(() => {});
    return reportError(error, io);
  }
}

/**
 * Runs a task with Ctrl-C (the `exec` way, compensations included), terminal approvals and
 * the event writer wired in, then reports
 * it: what a new task and a resumed one share.
 */
async function drive(
  options: RunCliOptions,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  finish: () => Promise<void>,
  start: (wiring: {
    signal: AbortSignal;
    stopSignal: AbortSignal;
    onCompensating: (steps: number) => void;
    approve?: ApproveFn;
    onEvent: (event: LoopEvent) => void;
  }) => Promise<TaskResult>,
): Promise<number> {
  const sigint = cancelOnSigint();
  const approve = terminalApprover();
  const tracing = await cliTracing('toolplan run');
  let result: TaskResult;
  try {
    result = await start({
      signal: sigint.signal,
      // As `exec`: a Ctrl-C while a plan compensates lets it finish; a second stops it.
      stopSignal: sigint.stopSignal,
      onCompensating: sigint.onCompensating,
      ...(approve ? { approve } : {}),
      onEvent: tracing.loopEvents(eventWriter(options, io)),
    });
  } finally {
    sigint.dispose();
    await tracing.shutdown();
  }
  await finish();
  return report(result, options, io);
}

/** The provider and model the task started with, unless the command line says otherwise. */
function savedModel(
  saved: SavedTask,
  options: RunCliOptions,
): { provider?: string; model?: string } {
  const provider = options.provider ?? saved.settings.provider;
  return {
    ...(provider === 'openai' || provider === 'anthropic' ? { provider } : {}),
    ...((options.model ?? saved.settings.model)
      ? { model: options.model ?? saved.settings.model }
      : {}),
  };
}

function eventWriter(
  options: RunCliOptions,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): (event: LoopEvent) => void {
  return (event) => {
    if (options.json) io.stdout.write(`${JSON.stringify(event)}\n`);
    // A failure is told once, by the report at the end.
    else if (event.type !== 'task.failed') {
      const line = progressLine(event);
      if (line) io.stderr.write(`${line}\n`);
    }
  };
}

function reportError(error: unknown, io: { stderr: NodeJS.WritableStream }): number {
  const message = cliThrownText(error);
  const name = error instanceof Error ? error.name : 'Error';
  io.stderr.write(`toolplan run: ${name}: ${message}\n`);
  return isToolplanError(error) && error.blame === 'config' ? 2 : 1;
}

/** The command that continues a suspended task, as a person would type it. */
export function resumeCommand(
  taskId: string,
  pending: readonly { nodeId: string }[],
  options: Pick<RunCliOptions, 'tools' | 'journal'>,
): string {
  const words = ['toolplan', 'run', '--resume', taskId];
  for (const node of new Set(pending.map((p) => p.nodeId))) words.push('--approve', node);
  for (const module of options.tools) words.push('--tools', module);
  if (options.journal !== undefined && options.journal !== DEFAULT_JOURNAL_DIR)
    words.push('--journal', options.journal);
  return words.map(shellWord).join(' ');
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

function report(
  result: TaskResult,
  options: RunCliOptions,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): number {
  const u = result.usage;
  io.stderr.write(
    `${result.status}: ${u.llmCalls} LLM call(s), ${u.estimated ? '~' : ''}${u.inputTokens} in / ${u.outputTokens} out tokens${u.estimated ? ' (estimated)' : ''}, $${u.costUsd.toFixed(4)}, ${result.toolCalls.length} tool call(s), ${Math.round(result.timings.totalMs)} ms\n`,
  );
  if (result.status === 'answered') {
    if (!options.json) io.stdout.write(`${result.answer ?? ''}\n`);
    return 0;
  }
  if (result.status === 'suspended') {
    const pending = result.pending ?? [];
    for (const p of pending)
      io.stderr.write(
        `waiting for approval: ${p.nodeId} (${p.tool} ${JSON.stringify(p.args).slice(0, 200)})\n`,
      );
    if (result.taskId) {
      io.stderr.write(
        `task ${result.taskId} is saved. To approve and continue it:\n  ${resumeCommand(result.taskId, pending, options)}\n(or --deny NODE instead of --approve: the call fails with ApprovalDenied and the LLM is told)\n`,
      );
    } else {
      io.stderr.write(
        'waiting for approval: react mode cannot be resumed; run in a terminal to approve\n',
      );
    }
    return 3;
  }
  const error = result.error;
  if (error)
    io.stderr.write(`toolplan run: ${error.name}: ${cliErrorText(error, options.cassette)}\n`);
  // The task ran and failed (a refused connection included): 1. Usage errors, found before
  // anything ran, exit 2 from reportError; so does a plan the LLM could not repair.
  return error?.code === 'plan_invalid' ? 2 : 1;
}

function oneOf(value: string, allowed: string[], flag: string): string {
  if (!allowed.includes(value)) {
    throw new ConfigError(
      'bad_option',
      `${flag} must be one of ${allowed.join(', ')}, got "${value}"`,
    );
  }
  return value;
}

function parseInput(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      'bad_option',
      `--input is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError('bad_option', '--input must be a JSON object');
  }
  return value as Record<string, unknown>;
}
