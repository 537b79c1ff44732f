/**
 * toolplan's public API. Everything a library user needs is named here; modules not
 * exported are internal and may change.
 */

export { looksLikeCompactPlan, parseCompactPlan, printCompactPlan } from './compact/index.ts';
export {
  AllFailedError,
  ApprovalDeniedError,
  BudgetExceededError,
  CancelledError,
  CompensationFailedError,
  ConfigError,
  ExpressionError,
  FatalToolError,
  InternalError,
  InvalidArgsError,
  InvalidOutputError,
  PlanFailure,
  RUNTIME_ERROR_NAMES,
  type RuntimeErrorName,
  TimeoutError,
  ToleranceExceededError,
  ToolError,
  toToolplanError,
} from './errors/runtime-errors.ts';
// Errors
export {
  type Blame,
  isToolplanError,
  ToolplanError,
  type ToolplanErrorOptions,
} from './errors/toolplan-error.ts';
// The HTML report of one run (`exec --report`)
export { renderRunReport } from './eval/report-html.ts';
export { JOURNAL_FORMAT } from './exec/events.ts';
// Execution
export {
  type ApprovalRequest,
  type ApproveFn,
  type ExecuteOptions,
  executePlan,
  FileJournalStore,
  foldEvents,
  type JournalStore,
  MemoryJournalStore,
  type ResumeOptions,
  type RunEvent,
  type RunLimits,
  type RunResult,
  resumeRun,
} from './exec/index.ts';
export { decodeEvent, encodeEvent } from './exec/journal-codec.ts';
export {
  JournalCorruptError,
  JournalSequenceError,
  JournalVersionError,
  LeaseLostError,
  RunLeasedError,
} from './exec/journal-errors.ts';
export { checkJournalFormat } from './exec/journal-format.ts';
export {
  type AppendOptions,
  type LeaseHolder,
  type LeaseOptions,
  leaseIsLive,
  type RunLease,
  thisProcess,
} from './exec/journal-lease.ts';
export { checkSequence } from './exec/journal-store.ts';
export { type HeldLease, holdLease } from './exec/lease-keeper.ts';
export { leasedStore } from './exec/leased-store.ts';
// Expression budget
export {
  DEFAULT_EXPRESSION_BUDGET,
  type ExpressionBudget,
  setExpressionBudget,
} from './expr/expression-budget.ts';
// The loop
export {
  type Budgets,
  decideNext,
  type LoopEvent,
  LoopFailedError,
  type NextStep,
  PlanInvalidError,
  type RunTaskOptions,
  resumeTask,
  runTask,
  type TaskApprovalRequest,
  type TaskApproveFn,
  type TaskResult,
} from './loop/index.ts';
// MCP: the spec parsing only; the client and server (which load the MCP SDK) are `toolplan/mcp`
export { type McpServerSpec, parseMcpConfig, parseMcpSpec, readMcpConfig } from './mcp/mcp-spec.ts';
// Models and providers
export type {
  CallOptions,
  LanguageModel,
  Message,
  ModelRequest,
  ModelResponse,
  ModelStreamPart,
  ToolCall,
  Usage,
} from './model/index.ts';
export { ProviderError, ScriptedModel, textResponse, toolCallsResponse } from './model/index.ts';
// Node kinds: one module per kind, and the registry every layer reads
export type { CompactReader, CompactWriter } from './plan/kinds/compact-port.ts';
export type { CompiledNode, KindRuntime, RunScope } from './plan/kinds/kind.ts';
export { defineKind, type NodeKindDef } from './plan/kinds/kind.ts';
export { kindTable, nodeKinds, registerNodeKind } from './plan/kinds/registry.ts';
export type { TypeCx } from './plan/kinds/type-port.ts';
export { buildPlanGraph, type PlanGraph } from './plan/plan-graph.ts';
// Plans
export {
  NODE_KINDS,
  type NodeKind,
  nodeKind,
  PLAN_VERSION,
  Plan,
  type PlanNode,
  type PlanT,
  planJsonSchema,
} from './plan/plan-schema.ts';
export { AnthropicModel, createModel, createToolNameMap, OpenAIModel } from './providers/index.ts';
export { toAnthropicTools, toOpenAITools } from './providers/wire-tools.ts';
export { CassetteMissError, createRecordingFetch, createReplayFetch } from './record/index.ts';
export { derefSchema } from './schema/deref-schema.ts';
export { type CompiledSchema, compileSchema } from './schema/json-validator.ts';
export { type RunningServer, type ServeOptions, startServer } from './serve/server.ts';
export { startTracing, type Tracing, tracingWith } from './telemetry/otlp-setup.ts';
export { RunSpans, type SpanOptions } from './telemetry/run-spans.ts';
export { type TaskSpanOptions, TaskSpans } from './telemetry/task-spans.ts';
export { loadRegistry, loadToolsModule } from './tool/load-tools-module.ts';
export { toolSpecs } from './tool/provider-tools.ts';
export { checkArgs, checkOutput, type RegisteredTool, ToolRegistry } from './tool/registry.ts';
// Tools
export {
  defineTool,
  type JsonSchema,
  type RetryPolicy,
  type SchemaLike,
  type Tool,
  type ToolContext,
} from './tool/tool.ts';
export { checkPlanInput } from './validate/check-input.ts';
// Validation
export {
  DEFAULT_LIMITS,
  ISSUE_CODES,
  type IssueCode,
  type PlanIssue,
  type Severity,
  type ValidateOptions,
  type ValidationResult,
  validatePlan,
  validatePlanText,
} from './validate/index.ts';
