import { randomUUID } from 'node:crypto';
import type { Message } from '../model/messages.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import type { LlmContext } from './llm-call.ts';
import {
  type PlanCandidate,
  type PlanReply,
  type PlanSyntax,
  planSystemPrompt,
  taskMessage,
} from './planner.ts';
import type { LoopDeps, TaskApproveFn } from './ports.ts';
import type { PrefetchCache, ToolCallObserver, ToolCallRecord } from './prefetch.ts';
import { type Budgets, initialState, type LoopFailure, type LoopState } from './run-state.ts';
import type { SavedTask, TaskStore } from './task-store.ts';
import type { TaskResult } from './task-types.ts';

export interface PlanLoopOptions {
  task: string;
  llm: LlmContext;
  registry: ToolRegistry;
  deps: LoopDeps;
  syntax: PlanSyntax;
  budgets: Budgets;
  maxRepairs: number;
  maxReplans: number;
  history: Message[];
  input: Record<string, unknown>;
  approve?: TaskApproveFn | undefined;
  stopSignal?: AbortSignal | undefined;
  onCompensating?: ((steps: number) => void) | undefined;
  store?: unknown;
  resultChars: number;
  prefetch: boolean;
  startedAt: number;
  /** Why the shared signal was aborted, when the loop itself aborted it (deadline). */
  abortReason: () => LoopFailure | undefined;
  /** Where the task is saved if it suspends (needs `store`); without it, it is not saved. */
  tasks?: TaskStore | undefined;
  taskId?: string | undefined;
  /** Continue this suspended task (resume-task.ts): its executor run first, then the loop. */
  resume?: PlanLoopResume | undefined;
}

export interface PlanLoopResume {
  saved: SavedTask;
  approveNodes: readonly string[];
  denyNodes: readonly string[];
}

/**
 * What one run of the plan loop carries between its steps besides the pure `LoopState`: the
 * conversation with the planner, the reply a join answers, the prefetch cache, the executor
 * run a suspension waits in, and the tool calls made. The steps (plan-steps.ts,
 * plan-execute.ts, plan-persist.ts) read and write it; only the driver sequences them.
 */
export interface PlanSession {
  readonly o: PlanLoopOptions;
  state: LoopState;
  readonly messages: Message[];
  reply: PlanReply | undefined;
  candidate: PlanCandidate | undefined;
  /** The executor run of the last execution (the one a suspension waits in). */
  execRunId: string | undefined;
  /** A task file exists for this task, and must say how it ended. */
  filed: boolean;
  cache: PrefetchCache | undefined;
  executions: number;
  readonly records: ToolCallRecord[];
  firstToolCallMs: number | null;
  readonly observer: ToolCallObserver;
  /** Prefetched calls' idempotency keys are scoped by it. */
  readonly runId: string;
}

export function openSession(o: PlanLoopOptions): PlanSession {
  const saved = o.resume?.saved;
  const s: PlanSession = {
    o,
    state: saved
      ? // The deadline counts active time: `startedAt` is rebased past the time it waited.
        { ...saved.state, startedAt: o.startedAt }
      : initialState(o.task, {
          startedAt: o.startedAt,
          maxRepairs: o.maxRepairs,
          maxReplans: o.maxReplans,
          budgets: o.budgets,
        }),
    messages: saved
      ? [...saved.messages]
      : [
          { role: 'system', content: planSystemPrompt(o.registry, o.syntax) },
          ...o.history,
          { role: 'user', content: taskMessage(o.task, o.input) },
        ],
    reply: saved?.reply ?? undefined,
    candidate: undefined,
    execRunId: saved?.runId,
    filed: saved !== undefined,
    cache: undefined,
    executions: 0,
    records: [],
    firstToolCallMs: null,
    observer: { onStart: (r) => onToolStart(s, r), onEnd: (r) => onToolEnd(s, r) },
    runId: randomUUID(),
  };
  return s;
}

function onToolStart(s: PlanSession, r: ToolCallRecord): void {
  s.records.push(r);
  s.firstToolCallMs ??= r.start;
  s.o.llm.emit({ type: 'tool.started', at: r.start, tool: r.name, nodeId: r.nodeId, args: r.args });
}

function onToolEnd(s: PlanSession, r: ToolCallRecord): void {
  const at = r.end ?? s.o.llm.clock();
  s.o.llm.emit({
    type: 'tool.finished',
    at,
    tool: r.name,
    nodeId: r.nodeId,
    ok: r.ok === true,
    ms: at - r.start,
  });
}

export function finish(
  s: PlanSession,
  status: TaskResult['status'],
  extra: Partial<TaskResult> = {},
): TaskResult {
  return {
    status,
    plans: s.state.plans,
    usage: s.state.usage,
    toolCalls: s.records,
    timings: { firstToolCallMs: s.firstToolCallMs, totalMs: s.o.llm.clock() },
    state: s.state,
    ...extra,
  };
}

/** The plan's `input`: the task's, with every earlier plan's node outputs as `previous`. */
export function planInput(s: PlanSession): Record<string, unknown> {
  return { ...s.o.input, previous: s.state.previous };
}

/** What is left of the output-token budget, for the next LLM call's limit. */
export function remainingOutput(s: PlanSession): number | undefined {
  const { budgets, usage } = s.state;
  return budgets.maxOutputTokens === undefined
    ? undefined
    : Math.max(1, budgets.maxOutputTokens - usage.outputTokens);
}
