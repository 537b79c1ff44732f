import { ExpressionError } from '../errors/runtime-errors.ts';

/**
 * What one evaluation of one expression may spend. CEL has no loops but comprehensions, so
 * counting the nodes each comprehension step evaluates bounds the work; bounding the size of
 * every value an expression builds bounds the memory (and the work of `==`, `toJson` and the
 * conversion back to JSON, which walk what was built). The clock is the safety net for
 * built-ins whose cost grows with their operands (`in` on a long list, per step).
 */
export interface ExpressionBudget {
  /** AST nodes evaluated inside comprehension steps (each step weighs its subtree's size). */
  steps: number;
  /** Units in any value the expression builds, beyond its inputs: one per value and per character. */
  size: number;
  /** Wall-clock time one evaluation may take, in ms. */
  timeMs: number;
}

export const DEFAULT_EXPRESSION_BUDGET: Readonly<ExpressionBudget> = Object.freeze({
  steps: 1_000_000,
  size: 1_000_000,
  timeMs: 250,
});

let configured: ExpressionBudget = { ...DEFAULT_EXPRESSION_BUDGET };

/** Changes the budget of every later evaluation (process-wide); returns the previous one. */
export function setExpressionBudget(budget: Partial<ExpressionBudget>): ExpressionBudget {
  const before = configured;
  const next = { ...configured, ...budget };
  for (const key of ['steps', 'size', 'timeMs'] as const) {
    const v = next[key];
    if (typeof v !== 'number' || !(v > 0)) {
      throw new TypeError(`expression budget ${key} must be a positive number, got ${String(v)}`);
    }
  }
  configured = next;
  return before;
}

export function expressionBudget(): Readonly<ExpressionBudget> {
  return configured;
}

/** What ends an evaluation early besides its budget. */
export interface EvaluationLimits {
  /** Epoch ms (Date.now()) after which the evaluation stops with a `budget` error. */
  deadline?: number;
  signal?: AbortSignal;
}

/** Steps between two looks at the clock: reading it costs ~30 ns, a step ~20 ns. */
const CLOCK_EVERY = 2048;

interface Meter {
  steps: number;
  tick: number;
  /** Epoch ms past which the evaluation stops; set at the first look at the clock. */
  until: number;
  deadline: number;
  signal: AbortSignal | undefined;
  sizeLimit: number;
  /** The inputs, measured only when a built value outgrows the base budget. */
  inputs: Record<string, unknown>;
  inputSize: number;
  exceeded: ExpressionError | undefined;
  source: string;
}

function freshMeter(): Meter {
  return {
    steps: 0,
    tick: 0,
    until: 0,
    deadline: 0,
    signal: undefined,
    sizeLimit: 0,
    inputs: {},
    inputSize: -1,
    exceeded: undefined,
    source: '',
  };
}

/** Evaluation is synchronous and never re-enters: one meter serves every evaluation. */
const shared = freshMeter();
let meter: Meter | undefined;

/**
 * Runs `evaluate(inputs)` under a fresh budget. The clock is first read when the work is
 * large enough to need it (a few thousand steps, or a costly operation): an ordinary
 * expression never reads it, and its time limit starts at most that much work late.
 */
export function metered<T>(
  source: string,
  inputs: Record<string, unknown>,
  limits: EvaluationLimits | undefined,
  evaluate: (inputs: Record<string, unknown>) => T,
): T {
  const b = configured;
  const outer = meter;
  const m = outer === undefined ? shared : freshMeter();
  m.steps = b.steps;
  m.tick = CLOCK_EVERY;
  m.until = 0;
  m.deadline = limits?.deadline ?? Number.POSITIVE_INFINITY;
  m.signal = limits?.signal;
  m.sizeLimit = b.size;
  m.inputs = inputs;
  m.inputSize = -1;
  m.exceeded = undefined;
  m.source = source;
  meter = m;
  try {
    if (m.signal?.aborted) exceed(m, 'time', 'the run was cancelled');
    const result = evaluate(inputs);
    // A quantifier (all, exists) keeps going past a failed step; the budget is spent anyway.
    if (m.exceeded) throw m.exceeded;
    return result;
  } catch (error) {
    // cel-js may rethrow another step's error after ours was swallowed: ours is the cause.
    throw m.exceeded ?? error;
  } finally {
    meter = outer;
    m.inputs = {};
  }
}

/** True when `error` is the budget error of the evaluation now running (or just ended). */
export function isBudgetError(error: unknown): error is ExpressionError {
  return error instanceof ExpressionError && error.code === 'budget';
}

/** Charges one comprehension step of `weight` nodes. */
export function chargeStep(weight: number): void {
  const m = meter;
  if (!m) return;
  if (m.exceeded) throw m.exceeded;
  m.steps -= weight;
  if (m.steps < 0) exceed(m, 'steps', `it evaluated more than ${configured.steps} steps`);
  m.tick -= weight;
  if (m.tick <= 0) {
    m.tick = CLOCK_EVERY;
    lookAtClock(m);
  }
}

/**
 * Looks at the clock after a node whose cost grows with its operands (a call, `in`, `==`):
 * between two looks there is then at most one such operation, on values the size budget
 * bounds.
 */
export function checkClock(): void {
  const m = meter;
  if (m) lookAtClock(m);
}

function lookAtClock(m: Meter): void {
  if (m.exceeded) throw m.exceeded;
  const now = Date.now();
  if (m.until === 0) m.until = Math.min(now + configured.timeMs, m.deadline);
  if (now > m.until) exceed(m, 'time', 'it ran past its time limit');
  if (m.signal?.aborted) exceed(m, 'time', 'the run was cancelled');
}

/** Checks a value an expression built against the size budget; returns it. */
export function chargeSize<T>(value: T): T {
  const m = meter;
  if (!m) return value;
  if (m.exceeded) throw m.exceeded;
  if (value === null || (typeof value !== 'object' && typeof value !== 'string')) return value;
  const size = sizeOf(value);
  if (typeof value === 'object' || size > CLOCK_EVERY) lookAtClock(m);
  if (size <= m.sizeLimit) return value;
  if (m.inputSize < 0) {
    m.inputSize = 0;
    for (const key of Object.keys(m.inputs)) m.inputSize += sizeOf(m.inputs[key]);
    m.sizeLimit += m.inputSize;
  }
  if (size > m.sizeLimit) {
    exceed(m, 'size', `it built a value of ${size} units (limit ${m.sizeLimit})`);
  }
  return value;
}

function exceed(m: Meter, limit: 'steps' | 'size' | 'time', why: string): never {
  const preview = m.source.length > 120 ? `${m.source.slice(0, 117)}...` : m.source;
  m.exceeded = new ExpressionError(
    `\${${preview}} stopped: ${why}. Expressions must stay small: filter or aggregate with a tool, or split the work over nodes.`,
    {
      code: 'budget',
      retryable: false,
      details: { expression: m.source, limit },
    },
  );
  throw m.exceeded;
}

const sizes = new WeakMap<object, number>();

/**
 * Units a value takes once written out as a tree: shared references count every time they
 * appear, which is what the JSON conversion and `==` pay. Memoised per object, so a value
 * built from shared parts costs its distinct parts, not its expansion.
 */
export function sizeOf(value: unknown): number {
  if (typeof value === 'string') return 1 + value.length;
  if (value === null || typeof value !== 'object') return 1;
  const known = sizes.get(value);
  if (known !== undefined) return known;
  let total = 1;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) total += sizeOf(value[i]);
  } else if (value instanceof Map) {
    for (const [k, v] of value) total += sizeOf(k) + sizeOf(v);
  } else if (value instanceof Set) {
    for (const v of value) total += sizeOf(v);
  } else if (!ArrayBuffer.isView(value)) {
    const obj = value as Record<string, unknown>;
    for (const k of Object.keys(obj)) total += 1 + sizeOf(obj[k]);
  } else {
    total += value.byteLength >>> 4;
  }
  sizes.set(value, total);
  return total;
}
