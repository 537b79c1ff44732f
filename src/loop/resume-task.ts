import { ConfigError, toToolplanError } from '../errors/runtime-errors.ts';
import type { JournalStore } from '../exec/journal-store.ts';
import { foldEvents } from '../exec/run-state.ts';
import type { LanguageModel } from '../model/language-model.ts';
import { ToolRegistry } from '../tool/registry.ts';
import { defaultDeps } from './default-deps.ts';
import type { LoopEvent } from './events.ts';
import { runPlanLoop } from './plan-loop.ts';
import type { LoopDeps, TaskApproveFn } from './ports.ts';
import type { ModelPrice } from './prices.ts';
import { DEFAULTS, withTaskContext } from './run-task.ts';
import { type SavedTask, type TaskStore, taskStoreFor } from './task-store.ts';
import type { TaskResult } from './task-types.ts';

export interface ResumeTaskOptions {
  /** The model to carry on with; the saved settings say which one the task started with. */
  model: LanguageModel;
  tools: ToolRegistry | readonly unknown[];
  /** The executor's journal store the task ran with (its tasks are saved next to it). */
  store: unknown;
  /** Waiting nodes a person approved (node ids, or instance keys). */
  approveNodes?: readonly string[];
  /** Waiting nodes a person refused: they fail with ApprovalDenied, and the LLM is told. */
  denyNodes?: readonly string[];
  signal?: AbortSignal;
  /**
   * Ends the compensations of a plan that fails (or a `try`'s) before they finish; the
   * signal does not once they run (see `ExecuteOptions.stopSignal`).
   */
  stopSignal?: AbortSignal;
  /** Told how many steps a plan is compensating, and 0 when a `try`'s are done. */
  onCompensating?: (steps: number) => void;
  onEvent?: (event: LoopEvent) => void;
  /** Asked for waiting calls not decided above (and for later ones); without it they wait. */
  approve?: TaskApproveFn;
  /** Where the task was saved; default: next to `store`. */
  taskStore?: TaskStore;
  prices?: Readonly<Record<string, ModelPrice>>;
  deps?: Partial<LoopDeps>;
}

/**
 * Continues a task that suspended waiting for approval: its executor run resumes with the
 * decisions given (finished nodes are not run again), then the loop carries on as it would
 * have: a final plan's output is the answer with no LLM call; otherwise the results are
 * joined and the LLM answers or re-plans. Usage and budgets continue from what was consumed
 * (the deadline counts active time, not the wait). Never throws: an unknown task, a finished
 * one or a node that is not waiting is a `failed` result with a ConfigError.
 */
export async function resumeTask(taskId: string, options: ResumeTaskOptions): Promise<TaskResult> {
  let saved: SavedTask;
  try {
    saved = await loadSuspendedTask(taskId, options);
  } catch (error) {
    return refused(error);
  }
  const registry =
    options.tools instanceof ToolRegistry ? options.tools : ToolRegistry.from(options.tools);
  const budgets = saved.state.budgets;
  const startedAt = Date.now() - saved.activeMs;
  const tasks = options.taskStore ?? taskStoreFor(options.store);
  return withTaskContext(options, budgets, startedAt, async ({ llm, abortReason }) =>
    runPlanLoop({
      task: saved.state.task,
      llm,
      registry,
      deps: { ...(await defaultDeps()), ...options.deps },
      syntax: saved.settings.syntax,
      budgets,
      maxRepairs: saved.state.maxRepairs,
      maxReplans: saved.state.maxReplans,
      history: [],
      input: saved.input,
      approve: options.approve,
      stopSignal: options.stopSignal,
      onCompensating: options.onCompensating,
      store: options.store,
      resultChars: saved.settings.resultChars ?? DEFAULTS.resultChars,
      prefetch: saved.settings.prefetch,
      startedAt,
      abortReason,
      tasks,
      taskId: saved.taskId,
      resume: {
        saved,
        approveNodes: options.approveNodes ?? [],
        denyNodes: options.denyNodes ?? [],
      },
    }),
  );
}

/**
 * The saved task, checked against its executor run before anything runs: the task must be
 * suspended, its run must be in the journal, and every decision must name a waiting node.
 */
export async function loadSuspendedTask(
  taskId: string,
  options: Pick<ResumeTaskOptions, 'store' | 'taskStore' | 'approveNodes' | 'denyNodes'>,
): Promise<SavedTask> {
  const journal = options.store as JournalStore | undefined;
  const tasks = options.taskStore ?? taskStoreFor(options.store);
  if (!tasks || !journal || typeof journal.read !== 'function') {
    throw new ConfigError(
      'no_store',
      'resumeTask needs `store`: the journal store the task ran with',
    );
  }
  const saved = await tasks.load(taskId);
  if (!saved) {
    throw new ConfigError(
      'task_not_found',
      `no task ${taskId} (looked for ${tasks.describe(taskId)})`,
    );
  }
  if (saved.status !== 'suspended') {
    throw new ConfigError(
      'task_finished',
      `task ${taskId} is already ${saved.status}: there is nothing to resume`,
    );
  }
  const events = await journal.read(saved.runId);
  if (events.length === 0) {
    throw new ConfigError(
      'run_not_found',
      `task ${taskId} waits in executor run ${saved.runId}, which is not in the journal (another journal folder?)`,
    );
  }
  const run = foldEvents(events, saved.runId);
  const approve = options.approveNodes ?? [];
  const deny = options.denyNodes ?? [];
  const waiting = run.status === 'suspended' ? run.waiting : [];
  for (const name of [...approve, ...deny]) {
    if (approve.includes(name) && deny.includes(name))
      throw new ConfigError('bad_option', `node ${name} is both approved and denied`);
    if (!waiting.some((w) => w.key === name || w.node === name)) {
      throw new ConfigError(
        'not_waiting',
        `node ${name} is not waiting for approval in task ${taskId}; waiting: ${waiting.map((w) => `${w.key} (${w.tool})`).join(', ') || '(none)'}`,
      );
    }
  }
  return saved;
}

function refused(error: unknown): TaskResult {
  return {
    status: 'failed',
    error: toToolplanError(error),
    plans: [],
    usage: { llmCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    toolCalls: [],
    timings: { firstToolCallMs: null, totalMs: 0 },
  };
}
