import { BudgetExceededError } from '../errors/runtime-errors.ts';
import { DEFAULT_MAX_ITEMS } from '../plan/kinds/map.ts';
import type { PlanLimitsT } from '../plan/plan-schema.ts';

export { DEFAULT_MAX_ITEMS };

export const DEFAULT_MAX_CONCURRENCY = 16;
/** Body node runs over the run (value nodes too), so `max_tool_calls` is not the only bound. */
export const DEFAULT_MAX_NODES = 100_000;

export interface RunLimits {
  /** Tool calls in flight at once across the run (structural nodes take no slot). */
  max_concurrency?: number;
  /** Wall-clock bound on the run, from when this process starts (or resumes) it. */
  deadline_ms?: number;
  /** Tool calls over the whole run, resumes included (compensations not counted). */
  max_tool_calls?: number;
  /** Items one `map` may run over (default `DEFAULT_MAX_ITEMS`). */
  max_items?: number;
  /** Body node runs in this process, value nodes included (default `DEFAULT_MAX_NODES`). */
  max_nodes?: number;
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
  out.max_items = tighter(caller.max_items ?? DEFAULT_MAX_ITEMS, plan.max_items);
  out.max_nodes = tighter(caller.max_nodes ?? DEFAULT_MAX_NODES, plan.max_nodes);
  return out;
}

/**
 * Counts `count` more body node runs against `max_nodes`; the run that would pass it fails
 * with `BudgetExceeded` before any node of that body starts.
 */
export function chargeBodyNodes(budget: { bodyNodes: number; maxNodes: number }, count: number) {
  budget.bodyNodes += count;
  if (budget.bodyNodes <= budget.maxNodes) return;
  throw new BudgetExceededError(
    `the run reached max_nodes (${budget.maxNodes} body node runs); raise limits.max_nodes ` +
      'in executePlan options to allow more, or make the plan do less per item',
    {
      code: 'max_nodes',
      retryable: false,
      details: { max_nodes: budget.maxNodes },
    },
  );
}
