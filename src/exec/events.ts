import type { PlanLimitsT } from '../plan/plan-schema.ts';

/**
 * Everything that happens in a run, as data. The journal is the list of these events; a
 * run's state is their fold (`run-state.ts`). `key` names a node instance: the node id,
 * plus `/index` for each enclosing map item or loop iteration (`p/3`, `st/2`), plus
 * `/page/k` for a paginate's page call.
 */
export interface ErrorInfo {
  name: string;
  message: string;
  code: string;
  /** The node instance the error came from, when there is one. */
  node?: string;
  retryable?: boolean;
  details?: Record<string, unknown>;
}

export type NodeStatus =
  | 'pending'
  | 'running'
  | 'waiting'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'cancelled'
  | 'compensating'
  | 'compensated';

export type RunStatus = 'running' | 'suspended' | 'succeeded' | 'failed' | 'cancelled';

/** Options recorded with a run: enough to resume it, never a secret. */
export interface RecordedOptions {
  limits: PlanLimitsT;
  allowTools?: string[];
}

interface Base {
  /** Position in the journal, from 0. */
  seq: number;
  /** Wall-clock milliseconds since the epoch. */
  at: number;
}

/**
 * The journal's format version. Every process that writes a run stamps it on the event that
 * opens its session (`run.started`, `run.resumed`), so a journal that a newer toolplan
 * touched is refused by an older one instead of being misread.
 */
export const JOURNAL_FORMAT = 1;

export type RunEvent =
  | (Base & {
      type: 'run.started';
      /** Journal format version (JOURNAL_FORMAT); absent in journals from before it existed. */
      v?: number;
      runId: string;
      plan: unknown;
      input: unknown;
      options: RecordedOptions;
    })
  | (Base & { type: 'run.resumed'; v?: number })
  | (Base & { type: 'run.suspended'; waiting: WaitingInfo[] })
  | (Base & {
      type: 'run.finished';
      status: 'succeeded' | 'failed' | 'cancelled';
      output?: unknown;
      error?: ErrorInfo;
    })
  | (Base & {
      type: 'node.started';
      key: string;
      node: string;
      kind: string;
      /**
       * Present when the start is also a call's first try (a `call` node with no approval
       * to wait for): one event instead of `node.started` + `node.attempt` 1. Later tries,
       * fallbacks and compensations are `node.attempt` events.
       */
      attempt?: number;
      tool?: string;
    })
  | (Base & { type: 'node.attempt'; key: string; attempt: number; tool: string })
  | (Base & {
      /**
       * A try failed. With no try announced before it (attempt 1, InvalidArgs), the call's
       * own arguments failed its input schema: the tool was not called, and its fallback
       * alternatives follow.
       */
      type: 'node.attempt_failed';
      key: string;
      attempt: number;
      /** The tool tried (absent in journals from before it was recorded). */
      tool?: string;
      error: ErrorInfo;
      /** Backoff before the next try; absent when no retry follows. */
      retry_in_ms?: number;
      /** With full jitter, retry_in_ms was drawn from 0 up to this bound. */
      retry_jitter_max_ms?: number;
    })
  | (Base & {
      type: 'node.waiting';
      key: string;
      node: string;
      tool: string;
      args: unknown;
      /**
       * The key the decision is asked and recorded under, when it is not `key`: a fallback
       * alternative's call is approved under `<key>/fallback/<i>` while its node waits.
       */
      approval?: string;
    })
  | (Base & {
      type: 'approval.decided';
      /** The decision's key (`node.waiting`'s `approval` when it has one, else its `key`). */
      key: string;
      approved: boolean;
      by: string;
      /**
       * The node instance that waited for a fallback alternative's decision: it runs on
       * whatever the answer (that alternative, the next one, or its failure).
       */
      waiter?: string;
    })
  | (Base & { type: 'node.succeeded'; key: string; output: unknown })
  | (Base & { type: 'node.failed'; key: string; error: ErrorInfo })
  | (Base & { type: 'node.skipped'; key: string; node: string; reason: 'condition' | 'dependency' })
  | (Base & { type: 'node.cancelled'; key: string; reason: string })
  | (Base & { type: 'compensation.started'; key: string; tool: string })
  | (Base & { type: 'compensation.finished'; key: string; ok: boolean; error?: ErrorInfo })
  | (Base & { type: 'emit'; key: string; topic: string; data: unknown });

export type RunEventType = RunEvent['type'];

/**
 * An event before the journal numbers and stamps it. The journal overwrites `seq` and `at`;
 * a hot path may write them as `0` placeholders so the literal already has its final shape
 * (a property added later gives each of a large run's events a second, out-of-object store).
 */
export type NewEvent = RunEvent extends infer E
  ? E extends RunEvent
    ? Omit<E, 'seq' | 'at'> & { seq?: number; at?: number }
    : never
  : never;

export interface WaitingInfo {
  key: string;
  node: string;
  tool: string;
  args: unknown;
}
