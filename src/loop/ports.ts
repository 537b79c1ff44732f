import type { ApprovalRequest as ExecApprovalRequest } from '../exec/run-context.ts';
import type { PlanT } from '../plan/plan-schema.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import type { PlanIssue as ValidatorIssue } from '../validate/issues.ts';
import type { ValidationResult as ValidatorResult } from '../validate/validate-plan.ts';

/**
 * The loop's edges to the validator, the executor and the compact-syntax parser, typed as
 * narrowly as the loop needs them. `run-task.ts` wires the real modules in; tests and
 * embedders may pass their own.
 */

/**
 * The validator's issue with any code: the loop reports compact-syntax failures with codes
 * of its own, and an embedder's validator may have others.
 */
export type PlanIssueData = Omit<ValidatorIssue, 'code'> & { code: string };

export type LoopValidation = Omit<ValidatorResult, 'issues'> & { issues: PlanIssueData[] };

export type ValidatePlanFn = (plan: unknown, registry: ToolRegistry) => LoopValidation;

/**
 * The executor's approval request, so one callback serves both modes; react mode has no run
 * and no instance key, so those two may be absent (`node` is then the tool call id).
 */
export type TaskApprovalRequest = Omit<ExecApprovalRequest, 'runId' | 'key'> &
  Partial<Pick<ExecApprovalRequest, 'runId' | 'key'>>;

export type TaskApproveFn = (request: TaskApprovalRequest) => boolean | Promise<boolean>;

export interface ExecLimits {
  max_concurrency?: number;
  deadline_ms?: number;
  max_tool_calls?: number;
}

export interface ExecOptions {
  tools: ToolRegistry;
  input?: unknown;
  signal?: AbortSignal;
  /** Ends the plan's compensations (`ExecuteOptions.stopSignal`). */
  stopSignal?: AbortSignal | undefined;
  onCompensating?: ((steps: number) => void) | undefined;
  onEvent?: (event: unknown) => void;
  approve?: TaskApproveFn;
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
  /** The executor's run id: a suspended run is resumed by it (`resumeTask`). */
  runId?: string | undefined;
}

export type ExecutePlanFn = (plan: PlanT, options: ExecOptions) => Promise<ExecOutcome>;

/** Resuming a journaled run: the approvals given since it suspended. */
export interface ResumeExecOptions extends Omit<ExecOptions, 'input'> {
  approveNodes?: readonly string[];
  denyNodes?: readonly string[];
}

/**
 * Continues a suspended run from its journal. Its outcome counts only the tool calls made by
 * this resumption, and `nodeOutputs` holds every finished node of the run.
 */
export type ResumePlanFn = (runId: string, options: ResumeExecOptions) => Promise<ExecOutcome>;

export type CompactParseOutcome =
  | { ok: true; plan: unknown }
  | { ok: false; errors: { line: number; column: number; message: string }[] };

export type ParseCompactFn = (text: string) => CompactParseOutcome;

/** The modules the plan loop drives. */
export interface LoopDeps {
  validatePlan: ValidatePlanFn;
  validatePlanText: (text: string, registry: ToolRegistry) => LoopValidation;
  executePlan: ExecutePlanFn;
  /** Needed only to resume a suspended task (`resumeTask`). */
  resumePlan?: ResumePlanFn | undefined;
  parseCompact?: ParseCompactFn | undefined;
  looksLikeCompact?: ((text: string) => boolean) | undefined;
}
