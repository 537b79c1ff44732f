import type { ToolCall, ToolResult } from '../model/messages.ts';
import {
  type Budgets,
  budgetMessage,
  checkBudgets,
  type LoopFailure,
  type LoopUsage,
  sumUsage,
} from './run-state.ts';

/**
 * React mode as data, like the plan loop's `run-state.ts`: `decideReactNext` is a pure
 * function from the state to the next step; the driver (`react.ts`) does the step's I/O and
 * folds its outcome back in with `applyReactOutcome`.
 */

/** A call the task waits on: it needs approval and there is no one to ask. */
export interface PendingCall {
  nodeId: string;
  tool: string;
  args: unknown;
}

export type ReactOutcome =
  | { kind: 'replied'; text: string; toolCalls: ToolCall[]; usage: LoopUsage }
  /** One result per call of the turn, in order; `suspend` where the call awaits approval. */
  | { kind: 'ran'; calls: ToolCall[]; results: (ToolResult | 'suspend')[]; started: number };

export interface ReactState {
  budgets: Budgets;
  maxTurns: number;
  /** Epoch ms; the deadline counts from here. */
  startedAt: number;
  /** LLM turns taken. */
  turns: number;
  usage: LoopUsage;
  /** Tool calls started. */
  toolCalls: number;
  last: ReactOutcome | null;
}

export type ReactStep =
  | { type: 'ask' }
  | { type: 'run-tools'; text: string; calls: ToolCall[] }
  | { type: 'answer'; answer: string }
  | { type: 'suspend'; pending: PendingCall[] }
  | { type: 'fail'; error: LoopFailure };

export function initialReactState(options: {
  budgets: Budgets;
  maxTurns: number;
  startedAt: number;
}): ReactState {
  return {
    ...options,
    turns: 0,
    usage: { llmCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    toolCalls: 0,
    last: null,
  };
}

/** Pure: `now` is passed in. Budgets are checked before each LLM call and after each reply. */
export function decideReactNext(state: ReactState, now: number): ReactStep {
  const last = state.last;
  if (last?.kind === 'replied') {
    const after = overBudget(state, now, false);
    if (after) return after;
    if (last.toolCalls.length === 0) return { type: 'answer', answer: last.text.trim() };
    return { type: 'run-tools', text: last.text, calls: last.toolCalls };
  }
  if (last?.kind === 'ran' && last.results.includes('suspend')) {
    const pending = last.calls
      .filter((_, i) => last.results[i] === 'suspend')
      .map((c) => ({ nodeId: c.id, tool: c.name, args: c.args }));
    return { type: 'suspend', pending };
  }
  const before = overBudget(state, now, true);
  if (before) return before;
  if (state.turns >= state.maxTurns) {
    const message = `no answer after ${state.maxTurns} turns`;
    return { type: 'fail', error: { code: 'replans_exhausted', message } };
  }
  return { type: 'ask' };
}

function overBudget(state: ReactState, now: number, aboutToCallLlm: boolean): ReactStep | null {
  const { budgets, usage, toolCalls, startedAt } = state;
  const budget = checkBudgets(budgets, usage, toolCalls, now - startedAt, aboutToCallLlm);
  if (!budget) return null;
  return {
    type: 'fail',
    error: { code: 'budget_exceeded', message: budgetMessage(budget), budget },
  };
}

/** Folds a step's outcome into the state. Pure: returns a new state. */
export function applyReactOutcome(state: ReactState, outcome: ReactOutcome): ReactState {
  if (outcome.kind === 'ran') {
    return { ...state, toolCalls: state.toolCalls + outcome.started, last: outcome };
  }
  const usage = sumUsage(state.usage, outcome.usage);
  return { ...state, turns: state.turns + 1, usage, last: outcome };
}

/** What is left of the output-token budget, for the next LLM call's limit. */
export function remainingReactOutput(state: ReactState): number | undefined {
  const max = state.budgets.maxOutputTokens;
  return max === undefined ? undefined : Math.max(1, max - state.usage.outputTokens);
}
