import { ConfigError } from '../errors/runtime-errors.ts';

/**
 * Checks a public entry point's options before anything runs, as p-queue does: a bad value
 * is a `ConfigError` (`invalid_option`) that names the option and quotes the value, never a
 * run that quietly does something else (`mapConcurrency: 0` mapping nothing, `NaN` turning a
 * budget off). Deciding only: each check returns the problem or nothing.
 */

export interface OptionRule {
  /** Where it sits: `mapConcurrency`, `limits.max_tool_calls`. */
  name: string;
  value: unknown;
  rule:
    | 'count'
    | 'positive'
    | 'duration'
    | 'amount'
    | 'function'
    | 'string'
    | 'strings'
    | 'signal'
    | 'object';
}

function quote(v: unknown): string {
  if (typeof v === 'number') return `${v} (number)`;
  if (typeof v === 'string') return `${JSON.stringify(v.slice(0, 60))} (string)`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

const isInt = (v: unknown): v is number =>
  typeof v === 'number' && (Number.isInteger(v) || v === Number.POSITIVE_INFINITY);

const EXPECTED: Record<OptionRule['rule'], [(v: unknown) => boolean, string]> = {
  count: [(v) => isInt(v) && v >= 0, 'an integer from 0 up (or Infinity)'],
  positive: [(v) => isInt(v) && v >= 1, 'an integer from 1 up (or Infinity)'],
  duration: [
    (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
    'a finite number of milliseconds above 0',
  ],
  amount: [
    (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
    'a finite number from 0 up',
  ],
  function: [(v) => typeof v === 'function', 'a function'],
  string: [(v) => typeof v === 'string' && v !== '', 'a non-empty string'],
  strings: [(v) => Array.isArray(v) && v.every((s) => typeof s === 'string'), 'a list of strings'],
  signal: [(v) => v instanceof AbortSignal, 'an AbortSignal'],
  object: [(v) => v !== null && typeof v === 'object' && !Array.isArray(v), 'an object'],
};

/** The first rule a present value breaks, as a typed error; undefined when all hold. */
export function optionProblem(
  where: string,
  rules: readonly OptionRule[],
): ConfigError | undefined {
  for (const { name, value, rule } of rules) {
    if (value === undefined) continue;
    const [ok, expected] = EXPECTED[rule];
    if (ok(value)) continue;
    return new ConfigError(
      'invalid_option',
      `${where}: option "${name}" must be ${expected}, got ${quote(value)}`,
      {
        details: { option: name, value: typeof value === 'number' ? String(value) : quote(value) },
      },
    );
  }
  return undefined;
}

/** Throws the first problem. */
export function checkOptions(where: string, rules: readonly OptionRule[]): void {
  const problem = optionProblem(where, rules);
  if (problem) throw problem;
}

/** The rules for the run limits a caller passes (`limits`). */
export function limitRules(limits: unknown, prefix = 'limits'): OptionRule[] {
  if (limits === undefined) return [];
  if (limits === null || typeof limits !== 'object')
    return [{ name: prefix, value: limits, rule: 'object' }];
  const l = limits as Record<string, unknown>;
  return [
    { name: `${prefix}.max_concurrency`, value: l.max_concurrency, rule: 'positive' },
    { name: `${prefix}.deadline_ms`, value: l.deadline_ms, rule: 'duration' },
    { name: `${prefix}.max_tool_calls`, value: l.max_tool_calls, rule: 'count' },
    { name: `${prefix}.max_items`, value: l.max_items, rule: 'count' },
    { name: `${prefix}.max_nodes`, value: l.max_nodes, rule: 'count' },
  ];
}
