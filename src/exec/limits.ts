import { BudgetExceededError } from '../errors/runtime-errors.ts';
import { DEFAULT_MAX_ITEMS } from '../plan/kinds/map.ts';
import type { PlanLimitsT, PlanT } from '../plan/plan-schema.ts';
import type { NodeRecord } from './run-state.ts';

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
  /**
   * Body node instances started over the whole run, resumes included, value nodes too
   * (default `DEFAULT_MAX_NODES`).
   */
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
 * Counts `count` more body node runs against `max_nodes`; the node that would pass it fails
 * with `BudgetExceeded` before it starts.
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

/** An instance key is its node's id plus the item and iteration indexes it runs under. */
const INSTANCE_SUFFIX = /^(\/\d+)*$/;

/**
 * The body node instances a journal already holds: where a resumed run's `max_nodes` count
 * goes on from, as attempts do, so it refuses the same node an uninterrupted run would.
 * A body node is any node below the top level; records of a node's own sub-calls (a
 * paginate's pages: `p/page/0`) are not node instances.
 */
export function journaledBodyNodes(nodes: ReadonlyMap<string, NodeRecord>, plan: PlanT): number {
  if (nodes.size === 0) return 0;
  const top = new Set(plan.nodes.map((n) => n.id));
  let count = 0;
  for (const r of nodes.values())
    if (
      !top.has(r.node) &&
      r.key.startsWith(r.node) &&
      INSTANCE_SUFFIX.test(r.key.slice(r.node.length))
    )
      count += 1;
  return count;
}
