export { defaultDeps, executeForLoop, resumeForLoop } from './default-deps.ts';
export type { LlmPurpose, LoopEvent, LoopEventType, LoopIssue } from './events.ts';
export { joinPrompt, repairPrompt } from './join.ts';
export { LoopFailedError, PlanInvalidError } from './loop-errors.ts';
export { PlanNodeScanner } from './node-scanner.ts';
export {
  type PlanCandidate,
  type PlanSyntax,
  planSystemPrompt,
  renderToolList,
  SUBMIT_PLAN,
} from './planner.ts';
export type {
  ExecOutcome,
  LoopDeps,
  LoopValidation,
  PlanIssueData,
  ResumeExecOptions,
  ResumePlanFn,
  TaskApprovalRequest,
  TaskApproveFn,
} from './ports.ts';
export { prefetchable, type ToolCallRecord } from './prefetch.ts';
export { costOf, DEFAULT_PRICES, type ModelPrice, priceOf } from './prices.ts';
export { fillPrompt, loadPrompt, promptsDir, renderPrompt } from './prompts.ts';
export { loadSuspendedTask, type ResumeTaskOptions, resumeTask } from './resume-task.ts';
export {
  applyOutcome,
  type Budgets,
  decideNext,
  initialState,
  type LoopFailure,
  type LoopOutcome,
  type LoopState,
  type LoopUsage,
  type NextStep,
  RUN_STATE_VERSION,
} from './run-state.ts';
export { DEFAULTS, runTask } from './run-task.ts';
export {
  FileTaskStore,
  MemoryTaskStore,
  type SavedTask,
  type SavedTaskSettings,
  TASK_FILE_VERSION,
  type TaskStore,
  taskStoreFor,
} from './task-store.ts';
export type { ReactStyle, RunTaskOptions, TaskMode, TaskResult } from './task-types.ts';
