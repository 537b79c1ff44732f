import type { PlanLimitsT } from '../plan/plan-schema.ts';

export const DEFAULT_MAX_CONCURRENCY = 16;

export interface RunLimits {
  /** Tool calls in flight at once across the run (structural nodes take no slot). */
  max_concurrency?: number;
  /** Wall-clock bound on the run, from when this process starts (or resumes) it. */
  deadline_ms?: number;
  /** Tool calls over the whole run, resumes included (compensations not counted). */
  max_tool_calls?: number;
}

function tighter(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/** The plan's limits can only tighten the caller's, never loosen them. */
export function effectiveLimits(caller: RunLimits = {}, plan: PlanLimitsT = {}): PlanLimitsT {
  const out: PlanLimitsT = {
    max_concurrency: tighter(
      caller.max_concurrency ?? DEFAULT_MAX_CONCURRENCY,
      plan.max_concurrency,
    ),
  };
  const deadline = tighter(caller.deadline_ms, plan.deadline_ms);
  if (deadline !== undefined) out.deadline_ms = deadline;
  const calls = tighter(caller.max_tool_calls, plan.max_tool_calls);
  if (calls !== undefined) out.max_tool_calls = calls;
  return out;
}
