import type { PlanT } from './plan-schema.ts';

/**
 * Plans the validator passed, by identity, so the executor does not zod-parse one a second
 * time (at 100,000 nodes, that parse was 7% of a run's CPU). Held weakly: a vouched plan is
 * dropped with its last reference. The vouch is for the object as it was checked; a plan
 * changed after it was validated must be validated again before it runs.
 */
const vouched = new WeakSet<object>();

/** Called by the validator on a plan it found valid (every node matches the plan format). */
export function vouchForPlan(plan: object): void {
  vouched.add(plan);
}

export function isVouchedPlan(plan: unknown): plan is PlanT {
  return plan !== null && typeof plan === 'object' && vouched.has(plan);
}
