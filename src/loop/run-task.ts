import { BudgetExceededError } from '../errors/runtime-errors.ts';
import type { ToolplanError } from '../errors/toolplan-error.ts';
import { type OptionRule, optionProblem } from '../exec/check-options.ts';
import { ToolRegistry } from '../tool/registry.ts';
import { defaultDeps } from './default-deps.ts';
import type { LoopEvent } from './events.ts';
import type { LlmContext } from './llm-call.ts';
import { runPlanLoop } from './plan-loop.ts';
import { runReact } from './react.ts';
import type { Budgets, LoopFailure } from './run-state.ts';
import { newTaskId, taskStoreFor } from './task-store.ts';
import type { RunTaskOptions, TaskResult } from './task-types.ts';

export const DEFAULTS = {
  maxRepairs: 2,
  maxReplans: 2,
  resultChars: 8_000,
  maxTurns: 20,
} as const;

/**
 * Runs one task to an answer: in plan mode the LLM writes a plan that is validated, repaired,
 * executed and joined (or re-planned); in react mode it calls tools turn by turn. Never
 * throws for a failed task: the result says `failed` with a typed error. A plan-mode task
 * that suspends with a `store` is saved, and `resumeTask(result.taskId)` continues it.
 */
export async function runTask(task: string, options: RunTaskOptions): Promise<TaskResult> {
  const bad = optionProblem('runTask', taskOptionRules(options));
  if (bad) return refusedTask(bad);
  const startedAt = Date.now();
  const registry =
    options.tools instanceof ToolRegistry ? options.tools : ToolRegistry.from(options.tools);
  const budgets = options.budgets ?? {};
  const mode = options.mode ?? 'plan';

  return withTaskContext(options, budgets, startedAt, async ({ llm, abortReason }) => {
    llm.emit({ type: 'task.started', at: llm.clock(), task, mode });
    if (mode === 'react') {
      return await runReact({
        task,
        llm,
        registry,
        style: options.reactStyle ?? 'parallel',
        budgets,
        history: options.history ?? [],
        input: options.input ?? {},
        approve: options.approve,
        resultChars: options.resultChars ?? DEFAULTS.resultChars,
        maxTurns: options.maxTurns ?? DEFAULTS.maxTurns,
        startedAt,
        abortReason,
      });
    }
    const tasks = options.store ? (options.taskStore ?? taskStoreFor(options.store)) : undefined;
    return await runPlanLoop({
      task,
      llm,
      registry,
      deps: { ...(await defaultDeps()), ...options.deps },
      syntax: options.syntax ?? 'json',
      budgets,
      maxRepairs: options.maxRepairs ?? DEFAULTS.maxRepairs,
      maxReplans: options.maxReplans ?? DEFAULTS.maxReplans,
      history: options.history ?? [],
      input: options.input ?? {},
      approve: options.approve,
      stopSignal: options.stopSignal,
      onCompensating: options.onCompensating,
      store: options.store,
      resultChars: options.resultChars ?? DEFAULTS.resultChars,
      prefetch: options.prefetch ?? true,
      startedAt,
      abortReason,
      ...(tasks ? { tasks, taskId: newTaskId() } : {}),
    });
  });
}

export interface TaskContext {
  llm: LlmContext;
  /** Why the shared signal was aborted, when the task itself aborted it. */
  abortReason: () => LoopFailure | undefined;
}

/**
 * What `runTask` and `resumeTask` share: events, the clock (`at` counts from this call), and
 * one signal for the caller's abort and the deadline, which counts from `startedAt` (epoch ms;
 * a resumed task passes the time it was active before as already spent).
 */
export async function withTaskContext<T>(
  options: Pick<RunTaskOptions, 'model' | 'signal' | 'onEvent' | 'prices'>,
  budgets: Budgets,
  startedAt: number,
  body: (context: TaskContext) => Promise<T>,
): Promise<T> {
  const t0 = performance.now();
  const clock = () => Math.round((performance.now() - t0) * 10) / 10;
  const emit = (event: LoopEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's bug must not break the run.
    }
  };
  const controller = new AbortController();
  let abortReason: LoopFailure | undefined;
  const onUserAbort = () => {
    abortReason ??= { code: 'cancelled', message: 'the task was cancelled' };
    controller.abort(options.signal?.reason);
  };
  if (options.signal?.aborted) onUserAbort();
  else options.signal?.addEventListener('abort', onUserAbort, { once: true });
  const deadline =
    budgets.deadlineMs === undefined
      ? undefined
      : setTimeout(
          () => {
            const budget = {
              name: 'deadlineMs' as const,
              limit: budgets.deadlineMs ?? 0,
              used: Date.now() - startedAt,
            };
            abortReason ??= {
              code: 'budget_exceeded',
              message: `budget deadlineMs exceeded: the task ran past ${budgets.deadlineMs} ms`,
              budget,
            };
            controller.abort(new BudgetExceededError(abortReason.message, { details: budget }));
          },
          Math.max(0, budgets.deadlineMs - (Date.now() - startedAt)),
        );

  const llm: LlmContext = {
    model: options.model,
    signal: controller.signal,
    clock,
    emit,
    prices: options.prices,
  };
  try {
    return await body({ llm, abortReason: () => abortReason });
  } finally {
    if (deadline) clearTimeout(deadline);
    options.signal?.removeEventListener('abort', onUserAbort);
    // Stops prefetched calls of a plan that was never executed.
    controller.abort();
  }
}

/** What `runTask` checks of its options before anything runs (a bad budget never turns off). */
function taskOptionRules(options: RunTaskOptions): OptionRule[] {
  const b = (options?.budgets ?? {}) as Record<string, unknown>;
  return [
    { name: 'options', value: options ?? null, rule: 'object' },
    { name: 'maxRepairs', value: options?.maxRepairs, rule: 'count' },
    { name: 'maxReplans', value: options?.maxReplans, rule: 'count' },
    { name: 'resultChars', value: options?.resultChars, rule: 'positive' },
    { name: 'maxTurns', value: options?.maxTurns, rule: 'positive' },
    { name: 'signal', value: options?.signal, rule: 'signal' },
    { name: 'stopSignal', value: options?.stopSignal, rule: 'signal' },
    { name: 'onCompensating', value: options?.onCompensating, rule: 'function' },
    { name: 'onEvent', value: options?.onEvent, rule: 'function' },
    { name: 'approve', value: options?.approve, rule: 'function' },
    { name: 'budgets.maxLlmCalls', value: b.maxLlmCalls, rule: 'count' },
    { name: 'budgets.maxInputTokens', value: b.maxInputTokens, rule: 'count' },
    { name: 'budgets.maxOutputTokens', value: b.maxOutputTokens, rule: 'count' },
    { name: 'budgets.maxToolCalls', value: b.maxToolCalls, rule: 'count' },
    { name: 'budgets.deadlineMs', value: b.deadlineMs, rule: 'duration' },
    { name: 'budgets.maxCostUsd', value: b.maxCostUsd, rule: 'amount' },
  ];
}

function refusedTask(error: ToolplanError): TaskResult {
  return {
    status: 'failed',
    error,
    plans: [],
    usage: { llmCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    toolCalls: [],
    timings: { firstToolCallMs: null, totalMs: 0 },
  };
}
