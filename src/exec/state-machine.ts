import { InternalError } from '../errors/runtime-errors.ts';
import type { NodeStatus, RunStatus } from './events.ts';

/**
 * The legal lifecycles. A node with no event yet is `pending`. The transitions back to
 * `pending` (and `compensating -> succeeded`) only happen when a run is resumed: what was
 * in flight when the process died is run again. A node waits only once started: a call
 * node for its own approval, or for a fallback alternative's (decided under a key of its
 * own, `<key>/fallback/<i>`, but waited for by the node, on which its calls are journaled).
 */
const NODE: Record<NodeStatus, readonly NodeStatus[]> = {
  pending: ['running', 'skipped', 'cancelled'],
  running: ['waiting', 'succeeded', 'failed', 'cancelled', 'pending'],
  waiting: ['running', 'failed', 'cancelled', 'pending'],
  succeeded: ['compensating'],
  compensating: ['compensated', 'succeeded'],
  failed: [],
  skipped: [],
  cancelled: ['pending'],
  compensated: [],
};

const RUN: Record<RunStatus, readonly RunStatus[]> = {
  running: ['running', 'suspended', 'succeeded', 'failed', 'cancelled'],
  suspended: ['running'],
  cancelled: ['running'],
  succeeded: [],
  failed: [],
};

export function canMoveNode(from: NodeStatus, to: NodeStatus): boolean {
  return NODE[from].includes(to);
}

export function canMoveRun(from: RunStatus, to: RunStatus): boolean {
  return RUN[from].includes(to);
}

export function assertNodeTransition(key: string, from: NodeStatus, to: NodeStatus): void {
  if (!canMoveNode(from, to)) {
    throw new InternalError(
      'illegal_node_transition',
      `node ${key}: illegal transition ${from} -> ${to}`,
      { details: { key, from, to } },
    );
  }
}

export function assertRunTransition(from: RunStatus | undefined, to: RunStatus): void {
  if (from === undefined ? to !== 'running' : !canMoveRun(from, to)) {
    throw new InternalError(
      'illegal_run_transition',
      `run: illegal transition ${from ?? '(none)'} -> ${to}`,
      { details: { from, to } },
    );
  }
}

export const FINISHED_NODE: ReadonlySet<NodeStatus> = new Set([
  'succeeded',
  'failed',
  'skipped',
  'compensating',
  'compensated',
]);
