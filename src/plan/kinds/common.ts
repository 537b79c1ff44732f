import { z } from 'zod';

/**
 * The zod parts every kind shares: ids, expressions, the common fields, call targets and
 * bodies. A body is a list of nodes of any registered kind: it refers to the node schema
 * through `nodeSchemaSlot`, which the registry fills, so no kind imports the registry.
 */
export const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export const NodeId = z
  .string()
  .regex(ID_PATTERN)
  .describe('Unique in the whole plan: letters, digits and _, not starting with a digit.');

export const Expr = z.string().describe('A CEL expression written as "${ expr }".');
export const Json: z.ZodType<unknown> = z.unknown();

export const RetrySpec = z
  .object({
    attempts: z.number().int().min(1).describe('Every try counts, the first included.').optional(),
    delay_ms: z.number().min(0).optional(),
    factor: z.number().min(1).optional(),
    max_delay_ms: z.number().min(0).optional(),
    jitter: z.enum(['full', 'none']).optional(),
    on: z.array(z.string()).describe('Error names that are retried.').optional(),
  })
  .strict();
export type RetrySpecT = z.infer<typeof RetrySpec>;

export const common = {
  id: NodeId,
  after: z.array(NodeId).describe('Ids to wait for without using their data.').optional(),
  if: Expr.describe('Boolean expression; false skips the node (output null).').optional(),
  timeout_ms: z.number().int().min(1).optional(),
  retry: RetrySpec.optional(),
  description: z.string().describe('Why this step exists.').optional(),
};

/** The common fields of every node, as a type. */
export type Common = {
  id: string;
  after?: string[];
  if?: string;
  timeout_ms?: number;
  retry?: RetrySpecT;
  description?: string;
};

/** A node of some kind, as a body holds it. */
export type PlanNodeLike = Common & Readonly<Record<string, unknown>>;

export const Args = z.record(z.string(), Json).describe('Tool arguments; strings may hold ${ }.');

export const CallSpec = z.object({ call: z.string().min(1), args: Args.optional() }).strict();
export type CallSpecT = z.infer<typeof CallSpec>;

/** The node schema bodies refer to: set by the registry to the union of its kinds. */
export const nodeSchemaSlot: { current: z.ZodType<PlanNodeLike> } = {
  current: z.never() as unknown as z.ZodType<PlanNodeLike>,
};

export const Body: z.ZodType<PlanNodeLike[]> = z.lazy(() =>
  z.array(z.lazy(() => nodeSchemaSlot.current)).min(1),
);

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Shapes of nested objects, for the validator's "allowed fields" messages. */
export const CALL_SPEC_FIELDS: readonly string[] = Object.keys(CallSpec.shape);

export const NO_ISSUES = Object.freeze({ replace: Object.freeze({}), issues: [] }) as {
  replace: Record<string, unknown>;
  issues: [];
};

/** No names of its own to type. */
export function noLocals(): undefined {
  return undefined;
}

/** Nothing beyond the schema to check. */
export function noLint(): [] {
  return [];
}

export function noFields(): undefined {
  return undefined;
}

export function noDetach(): { replace: Record<string, unknown>; issues: [] } {
  return NO_ISSUES;
}

/**
 * A kind's cap on one of its own numeric fields (`max_iterations`, `max_pages`): past the
 * validator's limit it is a `limit_exceeded` error at that field.
 */
export function capIssues(
  node: Readonly<Record<string, unknown>>,
  field: string,
  max: number,
  unit: string,
): Array<{ key: string; severity: 'error'; code: string; message: string }> {
  const v = node[field];
  if (typeof v !== 'number' || v <= max) return [];
  return [
    {
      key: field,
      severity: 'error',
      code: 'limit_exceeded',
      message: `${field} is ${v}; at most ${max} ${unit} are allowed`,
    },
  ];
}
