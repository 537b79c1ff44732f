/**
 * Cooperative yielding for the scheduler. A plan whose nodes all finish synchronously
 * (values, costly expressions, replayed nodes) would otherwise run from start to end
 * without the event loop turning once: no Ctrl-C, no timer, no lease renewal could land.
 * `yieldDue()` says when synchronous work has run for longer than a slice since the event
 * loop last turned; the caller then defers its next node with setImmediate.
 *
 * Process-wide on purpose: the event loop is, too. The loop's turn is noticed by a marker
 * set with setImmediate when a slice begins, so ordinary fast plans pay a clock read per
 * node and at most one setImmediate per turn.
 */
export const SLICE_MS = 30;

let sliceStart = 0;
let marked = false;

function turned(): void {
  marked = false;
}

/** True when the event loop has not turned for more than SLICE_MS of synchronous work. */
export function yieldDue(): boolean {
  const now = performance.now();
  if (!marked) {
    marked = true;
    sliceStart = now;
    setImmediate(turned);
    return false;
  }
  return now - sliceStart > SLICE_MS;
}
