export { backoffDelay, DEFAULT_RETRY, resolveRetry } from './backoff.ts';
export { buildListGraph, type ListGraph, ReadyTracker } from './dataflow.ts';
export type {
  ErrorInfo,
  NewEvent,
  NodeStatus,
  RunEvent,
  RunEventType,
  RunStatus,
  WaitingInfo,
} from './events.ts';
export {
  type ExecuteOptions,
  executePlan,
  newRunId,
  type ResumeOptions,
  resumeRun,
} from './execute-plan.ts';
export { DEFAULT_JOURNAL_DIR, FileJournalStore } from './file-journal-store.ts';
export { type JournalStore, MemoryJournalStore } from './journal-store.ts';
export {
  DEFAULT_MAX_ITEMS,
  DEFAULT_MAX_NODES,
  effectiveLimits,
  type RunLimits,
} from './limits.ts';
export type { ApprovalRequest, ApproveFn } from './run-context.ts';
export type { RunResult, RunStats } from './run-result.ts';
export { resultFromState } from './run-result.ts';
export {
  applyEvent,
  emptyRunState,
  foldEvents,
  type NodeRecord,
  type RunState,
} from './run-state.ts';
export { canMoveNode, canMoveRun } from './state-machine.ts';
