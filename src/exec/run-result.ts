import type { ErrorInfo, NodeStatus, WaitingInfo } from './events.ts';
import { countByStatus, type RunState } from './run-state.ts';

export interface RunStats {
  nodes: Partial<Record<NodeStatus, number>>;
  toolCalls: number;
  durationMs: number;
  events: number;
}

export type RunResult =
  | { status: 'succeeded'; output: unknown; runId: string; stats: RunStats }
  | { status: 'failed'; error: ErrorInfo; runId: string; stats: RunStats }
  | { status: 'suspended'; waiting: WaitingInfo[]; runId: string; stats: RunStats }
  | { status: 'cancelled'; error: ErrorInfo; runId: string; stats: RunStats };

export function statsOf(state: RunState, since: number): RunStats {
  return {
    nodes: countByStatus(state),
    toolCalls: state.toolCalls,
    durationMs: Date.now() - since,
    events: state.events,
  };
}

/** The result a finished or suspended run had, read from its folded journal. */
export function resultFromState(state: RunState): RunResult | undefined {
  const stats = statsOf(state, state.startedAt ?? Date.now());
  if (state.finishedAt && state.startedAt) stats.durationMs = state.finishedAt - state.startedAt;
  const runId = state.runId;
  const error = state.error ?? { name: 'Error', message: 'unknown', code: 'error' };
  switch (state.status) {
    case 'succeeded':
      return { status: 'succeeded', output: state.output ?? null, runId, stats };
    case 'failed':
      return { status: 'failed', error, runId, stats };
    case 'cancelled':
      return { status: 'cancelled', error, runId, stats };
    case 'suspended':
      return { status: 'suspended', waiting: state.waiting, runId, stats };
    default:
      return undefined;
  }
}
