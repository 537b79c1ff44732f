import { z } from 'zod';
import { CallNode, type CallNodeT, FallbackAlt } from './kinds/call.ts';
import { Json } from './kinds/common.ts';
import { EmitNode, type EmitNodeT } from './kinds/emit.ts';
import { FailNode, type FailNodeT } from './kinds/fail.ts';
import { LoopNode, type LoopNodeT } from './kinds/loop.ts';
import { MapNode, type MapNodeT } from './kinds/map.ts';
import { PaginateNode, type PaginateNodeT } from './kinds/paginate.ts';
import { RaceNode, type RaceNodeT } from './kinds/race.ts';
import { kindOfNode, kindsVersion, NodeSchema } from './kinds/registry.ts';
import { type SwitchCase, SwitchCaseSchema, SwitchNode, type SwitchNodeT } from './kinds/switch.ts';
import { TryNode, type TryNodeT } from './kinds/try.ts';
import { ValueNode, type ValueNodeT } from './kinds/value.ts';
import { WaitNode, type WaitNodeT } from './kinds/wait.ts';

/**
 * The plan format, version 1 (docs/plan-format.md, the reference for every field) as zod: the
 * single source of truth. Each node kind's schema lives with its kind (`./kinds/`); this is
 * the plan around them. The JSON Schema handed to LLMs is generated from it (`planJsonSchema`).
 */
export const PLAN_VERSION = 1;
export {
  Body,
  CallSpec,
  ID_PATTERN,
  NodeId,
  RetrySpec,
  type RetrySpecT,
} from './kinds/common.ts';
export type {
  CallNodeT,
  LoopNodeT,
  MapNodeT,
  PaginateNodeT,
  RaceNodeT,
  SwitchCase,
  SwitchNodeT,
  TryNodeT,
};
export {
  CallNode,
  EmitNode,
  FailNode,
  FallbackAlt,
  LoopNode,
  MapNode,
  PaginateNode,
  RaceNode,
  SwitchCaseSchema,
  SwitchNode,
  TryNode,
  ValueNode,
  WaitNode,
};

export type PlanNode =
  | CallNodeT
  | ValueNodeT
  | MapNodeT
  | RaceNodeT
  | SwitchNodeT
  | LoopNodeT
  | PaginateNodeT
  | TryNodeT
  | WaitNodeT
  | EmitNodeT
  | FailNodeT;

/** The built-in node kinds by their key: each node has exactly one kind key. */
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

/** A node of any registered kind. */
export const Node = NodeSchema as z.ZodType<PlanNode>;

export const PlanLimits = z
  .object({
    max_concurrency: z.number().int().min(1).optional(),
    deadline_ms: z.number().int().min(1).optional(),
    max_tool_calls: z.number().int().min(0).optional(),
    max_items: z.number().int().min(0).optional(),
    max_nodes: z.number().int().min(0).optional(),
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

/** The kind of a node: the one kind key it has (the validator reports nodes with 0 or 2+). */
export function nodeKind(node: PlanNode): NodeKind {
  const kind = kindOfNode(node);
  if (!kind) throw new Error('node has no kind');
  return kind.key as NodeKind;
}

let cachedJsonSchema: { version: number; schema: Record<string, unknown> } | undefined;
/** JSON Schema of a plan, for structured output. Generated from the zod schema. */
export function planJsonSchema(): Record<string, unknown> {
  if (cachedJsonSchema?.version !== kindsVersion()) {
    const schema = z.toJSONSchema(Plan, { unrepresentable: 'any' }) as Record<string, unknown>;
    cachedJsonSchema = { version: kindsVersion(), schema };
  }
  return cachedJsonSchema.schema;
}
