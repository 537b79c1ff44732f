import type { WaitingInfo } from './events.ts';

/**
 * What a run is doing, for one decision: whether to suspend. Leaf work (tool calls, waits,
 * evaluations) in progress, and the calls waiting for a person's approval with nobody to
 * ask. The bookkeeping is here; the decision is `shouldSuspend`, a pure function of it.
 */
export class RunActivity {
  /** Leaf work in progress that is not waiting for a person. */
  leaves = 0;
  readonly waiting = new Map<string, WaitingInfo>();

  /** A call starts waiting for approval: it is no longer work in progress. */
  wait(info: WaitingInfo): void {
    this.waiting.set(info.key, info);
    this.leaves -= 1;
  }

  /** The wait ended (the run stops, or a decision came): back to work in progress. */
  unwait(key: string): void {
    this.leaves += 1;
    this.waiting.delete(key);
  }
}

/**
 * Suspend when something waits for a person and nothing else can make progress (no leaf
 * work in progress), unless the run is already stopping.
 */
export function shouldSuspend(a: {
  leaves: number;
  waiting: { size: number };
  stopping: boolean;
}): boolean {
  return !a.stopping && a.leaves === 0 && a.waiting.size > 0;
}
