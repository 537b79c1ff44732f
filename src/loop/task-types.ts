import type { ToolplanError } from '../errors/toolplan-error.ts';
import type { LanguageModel } from '../model/language-model.ts';
import type { Message } from '../model/messages.ts';
import type { PlanT } from '../plan/plan-schema.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import type { LoopEvent } from './events.ts';
import type { PlanSyntax } from './planner.ts';
import type { LoopDeps, TaskApproveFn } from './ports.ts';
import type { ToolCallRecord } from './prefetch.ts';
import type { ModelPrice } from './prices.ts';
import type { Budgets, LoopState, LoopUsage } from './run-state.ts';
import type { TaskStore } from './task-store.ts';

export type TaskMode = 'plan' | 'react';
export type ReactStyle = 'parallel' | 'single';

export interface RunTaskOptions {
  model: LanguageModel;
  /** A registry, or tool definitions. */
  tools: ToolRegistry | readonly unknown[];
  mode?: TaskMode;
  syntax?: PlanSyntax;
  reactStyle?: ReactStyle;
  budgets?: Budgets;
  signal?: AbortSignal;
  /**
   * Ends the compensations of a plan that fails (or a `try`'s) before they finish; the
   * signal does not once they run (see `ExecuteOptions.stopSignal`).
   */
  stopSignal?: AbortSignal;
  /** Told how many steps a plan is compensating, and 0 when a `try`'s are done. */
  onCompensating?: (steps: number) => void;
  onEvent?: (event: LoopEvent) => void;
  /** Asked before any call that needs approval; without it such a run suspends. */
  approve?: TaskApproveFn;
  /** Earlier turns of a conversation (user and assistant messages). */
  history?: Message[];
  /**
   * The executor's journal store. With one, a task that suspends is saved (see
   * `taskStore`) and `resumeTask(result.taskId, ...)` continues it; without one it cannot be.
   */
  store?: unknown;
  /** Where suspended tasks are saved; default: next to `store` (`taskStoreFor`). */
  taskStore?: TaskStore;
  /** The run's input: plans read it as `input` (plus `input.previous`, see README). */
  input?: Record<string, unknown>;
  maxRepairs?: number;
  maxReplans?: number;
  /** Characters of results fed back to the LLM per join or tool result. */
  resultChars?: number;
  /** Start read-only calls while the plan streams in (default true). */
  prefetch?: boolean;
  prices?: Readonly<Record<string, ModelPrice>>;
  /** The validator, executor and compact parser; the real modules by default. */
  deps?: Partial<LoopDeps>;
  /** Max LLM turns in react mode when no LLM-call budget is set. */
  maxTurns?: number;
}

export interface TaskResult {
  status: 'answered' | 'failed' | 'suspended';
  answer?: string;
  error?: ToolplanError;
  plans: PlanT[];
  usage: LoopUsage;
  toolCalls: ToolCallRecord[];
  timings: { firstToolCallMs: number | null; totalMs: number };
  /** Calls waiting for approval when suspended. */
  pending?: { nodeId: string; tool: string; args: unknown }[];
  /** A suspended task that was saved: pass it to `resumeTask`. */
  taskId?: string;
  /** The plan loop's final state (plan mode). */
  state?: LoopState;
}
