import type { LoopUsage } from './run-state.ts';

/** Why an LLM was called. */
export type LlmPurpose = 'plan' | 'repair' | 'join' | 'react';

/**
 * Everything the loop reports while it works, as data. `at` is ms since the task started.
 * `--json` writes these as NDJSON.
 */
export type LoopEvent =
  | { type: 'task.started'; at: number; task: string; mode: 'plan' | 'react' }
  | { type: 'llm.started'; at: number; purpose: LlmPurpose; call: number }
  | {
      type: 'llm.finished';
      at: number;
      purpose: LlmPurpose;
      call: number;
      inputTokens: number;
      outputTokens: number;
      ms: number;
    }
  /** A complete node arrived from the stream, before the plan was finished. */
  | { type: 'plan.node'; at: number; nodeId: string; index: number }
  | { type: 'prefetch.started'; at: number; nodeId: string; tool: string }
  | { type: 'plan.received'; at: number; source: 'plan' | 'repair' | 'replan'; text: string }
  | { type: 'plan.validated'; at: number; valid: boolean; issues: LoopIssue[] }
  | { type: 'plan.executing'; at: number; plan: unknown; attempt: number }
  | { type: 'plan.executed'; at: number; status: string; output?: unknown; error?: unknown }
  | { type: 'tool.started'; at: number; tool: string; nodeId: string; args: unknown }
  | { type: 'tool.finished'; at: number; tool: string; nodeId: string; ok: boolean; ms: number }
  | { type: 'approval.requested'; at: number; tool: string; nodeId: string; args: unknown }
  | { type: 'approval.decided'; at: number; tool: string; nodeId: string; approved: boolean }
  /** An event of the executor, passed through as it is. */
  | { type: 'exec'; at: number; event: unknown }
  | { type: 'task.answered'; at: number; answer: string; usage: LoopUsage }
  | { type: 'task.failed'; at: number; error: { code: string; message: string }; usage: LoopUsage }
  /** `taskId` is set when the task was saved and `resumeTask` can continue it. */
  | {
      type: 'task.suspended';
      at: number;
      pending: unknown[];
      usage: LoopUsage;
      taskId?: string | undefined;
    }
  /** A suspended task continues (`resumeTask`); usage so far is what was consumed before. */
  | {
      type: 'task.resumed';
      at: number;
      taskId: string;
      runId: string;
      approved: readonly string[];
      denied: readonly string[];
      usage: LoopUsage;
    };

export interface LoopIssue {
  path: string;
  code: string;
  message: string;
  severity: string;
}

export type LoopEventType = LoopEvent['type'];
