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
  type TaskResult,
} from './loop/index.ts';
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
export { CassetteMissError, createRecordingFetch, createReplayFetch } from './record/index.ts';
export { loadRegistry, loadToolsModule } from './tool/load-tools-module.ts';
export { toAnthropicTools, toOpenAITools, toolSpecs } from './tool/provider-tools.ts';
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
