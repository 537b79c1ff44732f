import type { PlanT } from '../plan/plan-schema.ts';
import type { ToolRegistry } from '../tool/registry.ts';

/**
 * The loop's edges to the validator, the executor and the compact-syntax parser, typed as
 * narrowly as the loop needs them. `run-task.ts` wires the real modules in; tests and
 * embedders may pass their own.
 */

export interface PlanIssue {
  path: string;
  code: string;
  message: string;
  severity: 'error' | 'warning';
}

export interface ValidationResult {
  valid: boolean;
  issues: PlanIssue[];
  plan?: PlanT | undefined;
}

export type ValidatePlanFn = (plan: unknown, registry: ToolRegistry) => ValidationResult;

export type ApproveFn = (request: ApprovalRequest) => boolean | Promise<boolean>;

/** Same shape as the executor's approval request, so one callback serves both modes. */
export interface ApprovalRequest {
  tool: string;
  args: unknown;
  /** The node id (plan mode) or the tool call id (react mode). */
  node: string;
  key?: string;
  runId?: string;
  signal?: AbortSignal;
}

export interface ExecLimits {
  max_concurrency?: number;
  deadline_ms?: number;
  max_tool_calls?: number;
}

export interface ExecOptions {
  tools: ToolRegistry;
  input?: unknown;
  signal?: AbortSignal;
  onEvent?: (event: unknown) => void;
  approve?: ApproveFn;
  limits?: ExecLimits;
  store?: unknown;
}

/** What the loop reads from a finished execution. */
export interface ExecOutcome {
  status: 'succeeded' | 'failed' | 'suspended' | 'cancelled';
  output: unknown;
  /** Every finished top-level node's output, by id: fed to re-plans as `input.previous`. */
  nodeOutputs: Record<string, unknown>;
  error?: { name: string; message: string; node?: string } | undefined;
  /** Nodes waiting for approval when suspended. */
  pending?: { nodeId: string; tool: string; args: unknown }[] | undefined;
  toolCallCount: number;
}

export type ExecutePlanFn = (plan: PlanT, options: ExecOptions) => Promise<ExecOutcome>;

export type CompactParseResult =
  | { ok: true; plan: unknown }
  | { ok: false; errors: { line: number; column: number; message: string }[] };

export type ParseCompactFn = (text: string) => CompactParseResult;

/** The modules the plan loop drives. */
export interface LoopDeps {
  validatePlan: ValidatePlanFn;
  validatePlanText: (text: string, registry: ToolRegistry) => ValidationResult;
  executePlan: ExecutePlanFn;
  parseCompact?: ParseCompactFn | undefined;
  looksLikeCompact?: ((text: string) => boolean) | undefined;
}
