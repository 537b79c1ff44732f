import type { PlanT } from '../plan/plan-schema.ts';
import type { PlanIssueData } from './ports.ts';

/**
 * The plan loop as data. `LoopState` is plain JSON (serialisable, versioned) and changes
 * only through `applyOutcome`; `decideNext` is a pure function from a state to the next step.
 * The driver (`plan-loop.ts`) does the I/O a step asks for and folds its outcome back in.
 */
export const RUN_STATE_VERSION = 1;

export interface LoopUsage {
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Some reply's server reported no usage: its tokens were counted from characters. */
  estimated?: true;
}

export interface Budgets {
  maxLlmCalls?: number;
  maxInputTokens?: number;
  maxOutputTokens?: number;
  maxCostUsd?: number;
  /** Wall-clock bound for the whole task, from its start. */
  deadlineMs?: number;
  /** Tool calls across every plan of the task (passed down to the executor's limits). */
  maxToolCalls?: number;
}

export type BudgetName = keyof Budgets;

export type LoopFailureCode =
  | 'plan_invalid'
  | 'budget_exceeded'
  | 'replans_exhausted'
  | 'execution_failed'
  | 'cancelled';

export interface LoopFailure {
  code: LoopFailureCode;
  message: string;
  issues?: PlanIssueData[];
  budget?: { name: BudgetName; limit: number; used: number };
}

export interface ExecError {
  name: string;
  message: string;
  node?: string | undefined;
}

/** What the last step produced. */
export type LoopOutcome =
  | { kind: 'planned'; source: 'plan' | 'repair' | 'replan'; candidate: unknown; text: string }
  | { kind: 'validated'; valid: true; plan: PlanT }
  | { kind: 'validated'; valid: false; issues: PlanIssueData[] }
  | {
      kind: 'executed';
      status: 'succeeded' | 'failed' | 'suspended' | 'cancelled';
      final: boolean;
      output: unknown;
      nodeOutputs: Record<string, unknown>;
      toolCalls: number;
      error?: ExecError | undefined;
      pending?: { nodeId: string; tool: string; args: unknown }[] | undefined;
    }
  | { kind: 'joined'; answer: string }
  | { kind: 'joined-plan'; candidate: unknown; text: string };

export interface LoopState {
  version: typeof RUN_STATE_VERSION;
  task: string;
  /** Epoch ms; the deadline counts from here. */
  startedAt: number;
  maxRepairs: number;
  maxReplans: number;
  budgets: Budgets;
  usage: LoopUsage;
  toolCalls: number;
  /** Repairs asked for the plan being written now (reset once a plan is valid). */
  repairs: number;
  replans: number;
  /** Every valid plan, in the order they ran. */
  plans: PlanT[];
  /** Outputs of every finished top-level node of earlier plans, by id: `input.previous`. */
  previous: Record<string, unknown>;
  /** The issues of the last invalid plan (the repair prompt lists them). */
  issues: PlanIssueData[];
  last: LoopOutcome | null;
}

export type NextStep =
  | { type: 'plan' }
  | { type: 'validate'; candidate: unknown; text: string }
  | { type: 'repair'; issues: PlanIssueData[] }
  | { type: 'execute'; plan: PlanT }
  | { type: 'join' }
  | { type: 'answer'; answer: string }
  | { type: 'suspend'; pending: { nodeId: string; tool: string; args: unknown }[] }
  | { type: 'fail'; error: LoopFailure };

export function initialState(
  task: string,
  options: { startedAt: number; maxRepairs: number; maxReplans: number; budgets: Budgets },
): LoopState {
  return {
    version: RUN_STATE_VERSION,
    task,
    startedAt: options.startedAt,
    maxRepairs: options.maxRepairs,
    maxReplans: options.maxReplans,
    budgets: { ...options.budgets },
    usage: { llmCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    toolCalls: 0,
    repairs: 0,
    replans: 0,
    plans: [],
    previous: {},
    issues: [],
    last: null,
  };
}

/** The first budget the state has gone past, if any. Pure: `now` is passed in. */
export function exceededBudget(
  state: LoopState,
  now: number,
  aboutToCallLlm = false,
): LoopFailure['budget'] | undefined {
  return checkBudgets(
    state.budgets,
    state.usage,
    state.toolCalls,
    now - state.startedAt,
    aboutToCallLlm,
  );
}

/** Shared by the plan loop and react mode. */
export function checkBudgets(
  b: Budgets,
  u: LoopUsage,
  toolCalls: number,
  elapsedMs: number,
  aboutToCallLlm: boolean,
): LoopFailure['budget'] | undefined {
  const over = (name: BudgetName, limit: number | undefined, used: number, strict: boolean) =>
    limit !== undefined && (strict ? used >= limit : used > limit)
      ? { name, limit, used }
      : undefined;
  return (
    over('maxLlmCalls', b.maxLlmCalls, u.llmCalls, aboutToCallLlm) ??
    over('maxInputTokens', b.maxInputTokens, u.inputTokens, false) ??
    over('maxOutputTokens', b.maxOutputTokens, u.outputTokens, false) ??
    over('maxCostUsd', b.maxCostUsd, u.costUsd, false) ??
    over('maxToolCalls', b.maxToolCalls, toolCalls, false) ??
    over('deadlineMs', b.deadlineMs, elapsedMs, false)
  );
}

export function budgetMessage(budget: NonNullable<LoopFailure['budget']>): string {
  return `budget ${budget.name} exceeded: ${round(budget.used)} used, limit ${budget.limit}`;
}

function budgetFailure(budget: NonNullable<LoopFailure['budget']>): NextStep {
  return {
    type: 'fail',
    error: {
      code: 'budget_exceeded',
      message: budgetMessage(budget),
      budget,
    },
  };
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** Text of a final plan's output: strings as they are, anything else as JSON. */
export function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  return JSON.stringify(output ?? null);
}

const LLM_STEPS = new Set<NextStep['type']>(['plan', 'repair', 'join']);

export function decideNext(state: LoopState, now: number): NextStep {
  const step = decide(state);
  const budget = exceededBudget(state, now, LLM_STEPS.has(step.type));
  if (budget && step.type !== 'answer' && step.type !== 'fail') return budgetFailure(budget);
  return step;
}

function decide(state: LoopState): NextStep {
  const last = state.last;
  if (last === null) return { type: 'plan' };
  switch (last.kind) {
    case 'planned':
      return { type: 'validate', candidate: last.candidate, text: last.text };
    case 'validated':
      if (last.valid) return { type: 'execute', plan: last.plan };
      if (state.repairs < state.maxRepairs) return { type: 'repair', issues: last.issues };
      return {
        type: 'fail',
        error: {
          code: 'plan_invalid',
          message: `the plan is still invalid after ${state.repairs} repair(s): ${last.issues
            .filter((i) => i.severity === 'error')
            .map((i) => `${i.path || '/'}: ${i.message}`)
            .join('; ')}`,
          issues: last.issues,
        },
      };
    case 'executed':
      if (last.status === 'succeeded') {
        return last.final ? { type: 'answer', answer: outputText(last.output) } : { type: 'join' };
      }
      if (last.status === 'suspended') return { type: 'suspend', pending: last.pending ?? [] };
      if (last.status === 'cancelled') {
        return { type: 'fail', error: { code: 'cancelled', message: 'the run was cancelled' } };
      }
      // The executor hit the task's own limits: a new plan could only hit them again.
      if (last.error?.name === 'BudgetExceeded') {
        return {
          type: 'fail',
          error: {
            code: 'budget_exceeded',
            message: `the plan ran out of budget: ${last.error.message}`,
          },
        };
      }
      // A failed plan goes back to the LLM (which may re-plan around the failure) while
      // re-plans remain; after that the failure is the task's.
      if (state.replans < state.maxReplans) return { type: 'join' };
      return {
        type: 'fail',
        error: {
          code: 'execution_failed',
          message: `the plan failed: ${last.error ? `${last.error.name}: ${last.error.message}` : 'unknown error'}`,
        },
      };
    case 'joined':
      return { type: 'answer', answer: last.answer };
    case 'joined-plan':
      if (state.replans > state.maxReplans) {
        return {
          type: 'fail',
          error: {
            code: 'replans_exhausted',
            message: `the LLM asked for re-plan ${state.replans} but at most ${state.maxReplans} are allowed`,
          },
        };
      }
      return { type: 'validate', candidate: last.candidate, text: last.text };
  }
}

/** Folds a step's outcome into the state. Pure: returns a new state. */
export function applyOutcome(state: LoopState, outcome: LoopOutcome): LoopState {
  const next: LoopState = { ...state, last: outcome };
  switch (outcome.kind) {
    case 'planned':
      if (outcome.source === 'repair') next.repairs = state.repairs + 1;
      break;
    case 'validated':
      if (outcome.valid) {
        next.plans = [...state.plans, outcome.plan];
        next.repairs = 0;
        next.issues = [];
      } else next.issues = outcome.issues;
      break;
    case 'executed':
      next.previous = { ...state.previous, ...outcome.nodeOutputs };
      next.toolCalls = state.toolCalls + outcome.toolCalls;
      break;
    case 'joined-plan':
      next.replans = state.replans + 1;
      break;
    case 'joined':
      break;
  }
  return next;
}

export function addUsage(state: LoopState, usage: Partial<LoopUsage>): LoopState {
  return { ...state, usage: sumUsage(state.usage, usage) };
}

/** Shared by the plan loop and react mode. */
export function sumUsage(a: LoopUsage, b: Partial<LoopUsage>): LoopUsage {
  return {
    llmCalls: a.llmCalls + (b.llmCalls ?? 0),
    inputTokens: a.inputTokens + (b.inputTokens ?? 0),
    outputTokens: a.outputTokens + (b.outputTokens ?? 0),
    costUsd: a.costUsd + (b.costUsd ?? 0),
    ...(a.estimated || b.estimated ? { estimated: true } : {}),
  };
}
