import { z } from 'zod';

/**
 * The plan format, version 1 (docs/plan-format.md, the reference for every field) as zod: the single source of truth.
 * The JSON Schema handed to LLMs is generated from it (`planJsonSchema`). The validator
 * uses the per-kind schemas to report shape issues at exact paths.
 */
export const PLAN_VERSION = 1;
export const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export const NodeId = z
  .string()
  .regex(ID_PATTERN)
  .describe('Unique in the whole plan: letters, digits and _, not starting with a digit.');

const Expr = z.string().describe('A CEL expression written as "${ expr }".');
const Json: z.ZodType<unknown> = z.unknown();

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

const common = {
  id: NodeId,
  after: z.array(NodeId).describe('Ids to wait for without using their data.').optional(),
  if: Expr.describe('Boolean expression; false skips the node (output null).').optional(),
  timeout_ms: z.number().int().min(1).optional(),
  retry: RetrySpec.optional(),
  description: z.string().describe('Why this step exists.').optional(),
};

const Args = z.record(z.string(), Json).describe('Tool arguments; strings may hold ${ }.');

export const CallSpec = z.object({ call: z.string().min(1), args: Args.optional() }).strict();

export const FallbackAlt = z.union([CallSpec, z.object({ value: Json }).strict()]);

export const CallNode = z
  .object({
    ...common,
    call: z.string().min(1).describe('A registered tool name.'),
    args: Args.optional(),
    fallback: z.array(FallbackAlt).describe('Tried in order after retries are spent.').optional(),
    compensate: CallSpec.describe('Undoes this call if the run fails later (saga).').optional(),
    approval: z.boolean().describe('Wait for a person to approve before calling.').optional(),
  })
  .strict();

export const ValueNode = z.object({ ...common, value: Json }).strict();

export type PlanNode =
  | z.infer<typeof CallNode>
  | z.infer<typeof ValueNode>
  | MapNodeT
  | RaceNodeT
  | SwitchNodeT
  | LoopNodeT
  | z.infer<typeof PaginateNode>
  | TryNodeT
  | z.infer<typeof WaitNode>
  | z.infer<typeof EmitNode>
  | z.infer<typeof FailNode>;

type Common = {
  id: string;
  after?: string[];
  if?: string;
  timeout_ms?: number;
  retry?: z.infer<typeof RetrySpec>;
  description?: string;
};
export type MapNodeT = Common & {
  map: unknown;
  as?: string;
  do: PlanNode[];
  concurrency?: number;
  tolerate?: number;
};
export type RaceNodeT = Common & { race: PlanNode[]; pick?: 'first' | 'best'; score?: string };
export type SwitchCase = { when?: string; do: PlanNode[] };
export type SwitchNodeT = Common & { switch: SwitchCase[] };
export type LoopNodeT = Common & { loop: PlanNode[]; while: string; max_iterations: number };
export type TryNodeT = Common & { try: PlanNode[]; catch?: PlanNode[]; finally?: PlanNode[] };

export const Body: z.ZodType<PlanNode[]> = z.lazy(() => z.array(Node).min(1));

export const MapNode: z.ZodType<MapNodeT> = z
  .object({
    ...common,
    map: Json.describe('A list, or an expression giving one.'),
    as: NodeId.describe('Name of the current item in the body (default "item").').optional(),
    do: Body,
    concurrency: z.number().int().min(1).optional(),
    tolerate: z.number().min(0).max(1).describe('Fraction of items allowed to fail.').optional(),
  })
  .strict();

export const RaceNode: z.ZodType<RaceNodeT> = z
  .object({
    ...common,
    race: Body.describe('Each branch is a single node.'),
    pick: z.enum(['first', 'best']).optional(),
    score: Expr.describe('With pick "best": a number; `result` is the branch output.').optional(),
  })
  .strict();

export const SwitchCaseSchema: z.ZodType<SwitchCase> = z
  .object({ when: Expr.optional(), do: Body })
  .strict();

export const SwitchNode: z.ZodType<SwitchNodeT> = z
  .object({ ...common, switch: z.array(SwitchCaseSchema).min(1) })
  .strict();

export const LoopNode: z.ZodType<LoopNodeT> = z
  .object({
    ...common,
    loop: Body,
    while: Expr.describe('Checked after each iteration; `iteration` and `last` in scope.'),
    max_iterations: z.number().int().min(1),
  })
  .strict();

export const PaginateNode = z
  .object({
    ...common,
    paginate: CallSpec.describe('`cursor` (null at first) is in scope of args.'),
    next: Expr.describe('Next cursor from `page`; null stops.'),
    items: Expr.describe('The items of `page`.'),
    max_pages: z.number().int().min(1),
  })
  .strict();

export const TryNode: z.ZodType<TryNodeT> = z
  .object({ ...common, try: Body, catch: Body.optional(), finally: Body.optional() })
  .strict();

export const WaitNode = z.object({ ...common, wait_ms: z.number().int().min(0) }).strict();

export const EmitNode = z
  .object({ ...common, emit: z.string().min(1), data: Json.optional() })
  .strict();

export const FailNode = z
  .object({ ...common, fail: z.string(), error: z.string().optional() })
  .strict();

/** Node kinds by their key: each node has exactly one of these. */
export const NODE_KINDS = {
  call: CallNode,
  value: ValueNode,
  map: MapNode,
  race: RaceNode,
  switch: SwitchNode,
  loop: LoopNode,
  paginate: PaginateNode,
  try: TryNode,
  wait_ms: WaitNode,
  emit: EmitNode,
  fail: FailNode,
} as const;
export type NodeKind = keyof typeof NODE_KINDS;
export const NODE_KIND_KEYS = Object.keys(NODE_KINDS) as NodeKind[];

export const Node: z.ZodType<PlanNode> = z.union([
  CallNode,
  ValueNode,
  MapNode,
  RaceNode,
  SwitchNode,
  LoopNode,
  PaginateNode,
  TryNode,
  WaitNode,
  EmitNode,
  FailNode,
]);

export const PlanLimits = z
  .object({
    max_concurrency: z.number().int().min(1).optional(),
    deadline_ms: z.number().int().min(1).optional(),
    max_tool_calls: z.number().int().min(0).optional(),
  })
  .strict();

export const Plan = z
  .object({
    version: z.literal(PLAN_VERSION),
    goal: z.string().optional(),
    input: z
      .record(z.string(), Json)
      .describe('JSON Schema of the run input the plan expects; checked before the run.')
      .optional(),
    nodes: z.array(Node),
    output: Json.describe('An expression; default: every sink node output by id.').optional(),
    limits: PlanLimits.optional(),
    final: z.boolean().describe('The output is the answer: no further LLM call.').optional(),
  })
  .strict();

export type PlanT = z.infer<typeof Plan>;
export type PlanLimitsT = z.infer<typeof PlanLimits>;
export type RetrySpecT = z.infer<typeof RetrySpec>;
export type CallNodeT = z.infer<typeof CallNode>;
export type PaginateNodeT = z.infer<typeof PaginateNode>;

/** The kind of a node: the one kind key it has (the validator reports nodes with 0 or 2+). */
export function nodeKind(node: PlanNode): NodeKind {
  for (const key of NODE_KIND_KEYS) if (key in node) return key;
  throw new Error('node has no kind');
}

let cachedJsonSchema: Record<string, unknown> | undefined;
/** JSON Schema of a plan, for structured output. Generated from the zod schema. */
export function planJsonSchema(): Record<string, unknown> {
  cachedJsonSchema ??= z.toJSONSchema(Plan, { unrepresentable: 'any' }) as Record<string, unknown>;
  return cachedJsonSchema;
}
