import type { ErrorInfo, NodeStatus, RunEvent, RunStatus, WaitingInfo } from './events.ts';
import { assertNodeTransition, assertRunTransition } from './state-machine.ts';

export interface NodeRecord {
  key: string;
  node: string;
  status: NodeStatus;
  output?: unknown;
  error?: ErrorInfo;
  attempts: number;
  /** Journal position of the success: compensation runs in reverse of this. */
  finishedSeq?: number;
}

/** A call's last failed try, so a resume goes on counting from it (`attempt` never restarts). */
export interface RetryRecord {
  attempt: number;
  /** The tool that try called (a fallback alternative under the same key counts apart). */
  tool: string | undefined;
  error: ErrorInfo;
  /** Whether another try was to follow (false: that failure was the last). */
  retry: boolean;
}

export interface RunState {
  runId: string;
  status: RunStatus | undefined;
  plan: unknown;
  input: unknown;
  options: Extract<RunEvent, { type: 'run.started' }>['options'] | undefined;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  nodes: Map<string, NodeRecord>;
  /** Approval decisions by instance key, kept across suspensions. */
  approvals: Map<string, boolean>;
  waiting: WaitingInfo[];
  /** Last failed tries of calls that have not ended, by instance key. */
  retries: Map<string, RetryRecord>;
  toolCalls: number;
  output?: unknown;
  error?: ErrorInfo;
  events: number;
}

export function emptyRunState(runId = ''): RunState {
  return {
    runId,
    status: undefined,
    plan: undefined,
    input: undefined,
    options: undefined,
    startedAt: undefined,
    finishedAt: undefined,
    nodes: new Map(),
    approvals: new Map(),
    waiting: [],
    retries: new Map(),
    toolCalls: 0,
    events: 0,
  };
}

function record(state: RunState, key: string, node = key): NodeRecord {
  let r = state.nodes.get(key);
  if (!r) {
    // Every field the fold may set is in the literal: fields added later would give each
    // of a large run's records a second, out-of-object property store.
    r = {
      key,
      node,
      status: 'pending',
      output: undefined,
      error: undefined,
      attempts: 0,
      finishedSeq: undefined,
    };
    state.nodes.set(key, r);
  }
  return r;
}

function move(r: NodeRecord, to: NodeStatus): void {
  assertNodeTransition(r.key, r.status, to);
  r.status = to;
}

/**
 * Applies one event to a state, in place (the executor folds as it appends, and copying a
 * 100,000-node map per event is not an option). Deterministic, no I/O: replaying a
 * journal through it gives the state the run had. Illegal transitions throw InternalError.
 */
export function applyEvent(state: RunState, e: RunEvent): RunState {
  state.events += 1;
  switch (e.type) {
    case 'run.started':
      assertRunTransition(state.status, 'running');
      state.status = 'running';
      state.runId = e.runId;
      state.plan = e.plan;
      state.input = e.input;
      state.options = e.options;
      state.startedAt = e.at;
      break;
    case 'run.resumed':
      // Only a run that exists can be resumed.
      assertRunTransition(state.status ?? 'succeeded', 'running');
      state.status = 'running';
      state.waiting = [];
      state.error = undefined;
      for (const r of state.nodes.values()) {
        // Whatever was in flight runs again, with the same idempotency key.
        if (r.status === 'running' || r.status === 'waiting' || r.status === 'cancelled')
          move(r, 'pending');
        else if (r.status === 'compensating') move(r, 'succeeded');
      }
      break;
    case 'run.suspended':
      assertRunTransition(state.status, 'suspended');
      state.status = 'suspended';
      state.waiting = e.waiting;
      break;
    case 'run.finished':
      assertRunTransition(state.status, e.status);
      state.status = e.status;
      state.finishedAt = e.at;
      state.output = e.output;
      state.error = e.error;
      break;
    case 'node.started': {
      const r = record(state, e.key, e.node);
      move(r, 'running');
      if (e.attempt !== undefined) {
        r.attempts = e.attempt;
        state.toolCalls += 1;
      }
      break;
    }
    case 'node.attempt': {
      const r = record(state, e.key);
      if (r.status !== 'running' && r.status !== 'compensating')
        assertNodeTransition(r.key, r.status, 'running');
      r.attempts = e.attempt;
      // A compensation's calls do not count against max_tool_calls: undoing is never refused.
      if (r.status !== 'compensating') state.toolCalls += 1;
      break;
    }
    case 'node.attempt_failed':
      state.retries.set(e.key, {
        attempt: e.attempt,
        tool: e.tool,
        error: e.error,
        retry: e.retry_in_ms !== undefined,
      });
      break;
    case 'node.waiting':
      move(record(state, e.key, e.node), 'waiting');
      break;
    case 'approval.decided': {
      state.approvals.set(e.key, e.approved);
      // A node denied its own call stays waiting until it fails; one that waited for a
      // fallback alternative goes on running either way (the next alternative may follow).
      const r = state.nodes.get(e.waiter ?? e.key);
      if (r?.status === 'waiting' && (e.approved || e.waiter !== undefined)) move(r, 'running');
      break;
    }
    case 'node.succeeded': {
      const r = record(state, e.key);
      move(r, 'succeeded');
      r.output = e.output;
      r.finishedSeq = e.seq;
      if (state.retries.size > 0) state.retries.delete(e.key);
      break;
    }
    case 'node.failed': {
      const r = record(state, e.key);
      move(r, 'failed');
      r.error = e.error;
      if (state.retries.size > 0) state.retries.delete(e.key);
      break;
    }
    case 'node.skipped': {
      const r = record(state, e.key, e.node);
      move(r, 'skipped');
      r.output = null;
      break;
    }
    case 'node.cancelled':
      move(record(state, e.key), 'cancelled');
      break;
    case 'compensation.started':
      move(record(state, e.key), 'compensating');
      break;
    case 'compensation.finished':
      move(record(state, e.key), e.ok ? 'compensated' : 'succeeded');
      break;
    case 'emit':
      break;
  }
  return state;
}

/** The state of a run: the fold of its journal. */
export function foldEvents(events: Iterable<RunEvent>, runId = ''): RunState {
  const state = emptyRunState(runId);
  for (const e of events) applyEvent(state, e);
  return state;
}

export function countByStatus(state: RunState): Partial<Record<NodeStatus, number>> {
  const counts: Partial<Record<NodeStatus, number>> = {};
  for (const r of state.nodes.values()) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}
