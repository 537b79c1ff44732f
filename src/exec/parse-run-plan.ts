import { ConfigError } from '../errors/runtime-errors.ts';
import { valueNesting } from '../expr/nesting.ts';
import { Node, Plan, type PlanT } from '../plan/plan-schema.ts';
import { isVouchedPlan } from '../plan/vouched-plan.ts';

/**
 * How deep a plan's JSON may nest before it is refused unread: far past what a valid plan
 * needs (values stop at 64 levels, bodies at 16), well short of what overflows the stack
 * of the journal's encoder, which writes `run.started` before any node is compiled.
 */
const MAX_PLAN_NESTING = 512;

/**
 * The plan a run is started with, checked once. zod's safeParse recurses once per nesting
 * level and throws RangeError on a plan nested a few thousand levels deep (any JSON text
 * can be): that must be a typed refusal, not a stack overflow in the result.
 */
export function safeParsePlan(plan: unknown): ReturnType<typeof Plan.safeParse> {
  if (valueNesting(plan, MAX_PLAN_NESTING) > MAX_PLAN_NESTING) {
    throw new ConfigError(
      'invalid_plan',
      `invalid plan: it nests deeper than ${MAX_PLAN_NESTING} levels (validate it first: values may nest 64 levels)`,
    );
  }
  try {
    // The validator's pass stands for zod's: it checked every node against the same format.
    if (isVouchedPlan(plan) || isValidPlan(plan)) return { success: true, data: plan };
    return Plan.safeParse(plan);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new ConfigError(
      'invalid_plan',
      'invalid plan: it is nested too deeply to run (validate it first: the validator allows 16 levels)',
      { cause: error },
    );
  }
}

/**
 * The same verdict as `Plan.safeParse` for a valid plan, without its copy: the plan's shell,
 * then each node on its own, so what zod builds dies young instead of a whole second plan
 * living through the run (at 100,000 nodes, that copy was most of what the GC moved). The
 * plan runs as given, so a caller must not change it while it runs. Any failure goes back
 * through `Plan.safeParse` for its exact issues.
 */
function isValidPlan(plan: unknown): plan is PlanT {
  if (plan === null || typeof plan !== 'object' || Array.isArray(plan)) return false;
  if (Object.getPrototypeOf(plan) !== Object.prototype) return false;
  const nodes = (plan as { nodes?: unknown }).nodes;
  if (!Array.isArray(nodes)) return false;
  if (!Plan.safeParse({ ...plan, nodes: [] }).success) return false;
  for (let i = 0; i < nodes.length; i++) if (!Node.safeParse(nodes[i]).success) return false;
  return true;
}
