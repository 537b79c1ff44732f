import { InternalError, TimeoutError } from '../errors/runtime-errors.ts';
import type { CompiledList as CList, CompiledNode as CNode, RunScope } from '../plan/kinds/kind.ts';
import { type Outcome, ReadyTracker } from '../plan/list-graph.ts';
import { shouldSuspend } from './activity.ts';
import { toError } from './call-retry.ts';
import { evaluateBool } from './evaluate.ts';
import { chargeBodyNodes } from './limits.ts';
import {
  Frame,
  fromErrorInfo,
  type RunContext,
  Suspension,
  tagErrorNode,
  toErrorInfo,
} from './run-context.ts';
import type { Parked } from './semaphore.ts';
import { yieldDue } from './time-slice.ts';

/**
 * The doing half of the scheduler for one list: starts the ready nodes, and when one
 * finishes starts exactly the dependents it released (`ReadyTracker`). The first failure
 * cancels the running siblings; the list then fails with it once they have settled.
 * Resolves with the output of the list's last node (a body's output).
 */
export function runList(ctx: RunContext, list: CList, frame: RunScope): Promise<unknown> {
  if (list.nodes.length === 0) return Promise.resolve(null);
  return new Promise<unknown>((resolve, reject) => {
    new ListRun(ctx, list, frame, resolve, reject).start();
  });
}

/**
 * The state of one execution of a list. A class rather than closures: a run of 100,000
 * nodes must not allocate two callbacks per node launch.
 */
class ListRun implements Parked {
  readonly ctx: RunContext;
  readonly list: CList;
  readonly frame: RunScope;
  readonly tracker: ReadyTracker;
  readonly released: number[] = [];
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  running = 0;
  failed = false;
  failure: unknown;

  constructor(
    ctx: RunContext,
    list: CList,
    frame: RunScope,
    resolve: (v: unknown) => void,
    reject: (e: unknown) => void,
  ) {
    this.ctx = ctx;
    this.list = list;
    this.frame = frame;
    this.tracker = new ReadyTracker(list.graph);
    this.resolve = resolve;
    this.reject = reject;
  }

  start(): void {
    const roots = this.tracker.start();
    for (let k = 0; k < roots.length; k++) this.launch(roots[k]!);
  }

  /**
   * Starts node i, or parks it while the run's tool slots are all taken: a plan with
   * 30,000 ready calls and 64 slots keeps 64 in flight, not 30,000 suspended calls.
   */
  launch(i: number): void {
    this.running += 1;
    const node = this.list.nodes[i]!;
    if (
      node.def.exec.toolCall &&
      this.ctx.global.saturated &&
      !this.tracker.hasSkippedDependency(i)
    ) {
      this.ctx.global.park(this, i);
      return;
    }
    // Only a node alone in its list defers: a fan-out's siblings must start together.
    if (this.running === 1 && yieldDue()) setImmediate(() => void this.run(i));
    else void this.run(i);
  }

  /** A parked node's turn: run it, unless the list already failed. */
  resume(i: number): void {
    if (this.failed) {
      this.running -= 1;
      this.settle();
      return;
    }
    void this.run(i);
  }

  /** Runs node i; when it succeeds or is skipped, starts at once the nodes it released. */
  async run(i: number): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await runNode(
        this.ctx,
        this.list.nodes[i]!,
        this.frame,
        this.tracker.hasSkippedDependency(i),
      );
    } catch (error) {
      this.running -= 1;
      if (!this.failed) {
        this.failed = true;
        this.failure = error;
        this.frame.controller.abort(error);
      }
      this.settle();
      return;
    }
    this.running -= 1;
    if (!this.failed) {
      // One array for the whole list: a launched node cannot finish before this loop
      // ends (its continuation runs after an await), so nothing refills it meanwhile.
      const released = this.released;
      released.length = 0;
      this.tracker.finish(i, outcome, released);
      for (let k = 0; k < released.length; k++) this.launch(released[k]!);
    }
    this.settle();
  }

  settle(): void {
    if (this.running > 0) return;
    const nodes = this.list.nodes;
    if (this.failed) this.reject(this.failure);
    else if (this.tracker.allFinished)
      this.resolve(this.frame.vars.get(nodes[nodes.length - 1]!.id) ?? null);
    else
      this.reject(
        new InternalError('stuck_list', 'no node of a list can start: dependency cycle?'),
      );
  }
}

/** Runs a body in a fresh frame below `parent` and releases the frame afterwards. */
export async function runBody(ctx: RunContext, list: CList, frame: RunScope): Promise<unknown> {
  try {
    return await runList(ctx, list, frame);
  } finally {
    frame.dispose();
  }
}

function finishedFromJournal(ctx: RunContext, node: CNode, frame: RunScope, key: string) {
  const rec = ctx.journal.state.nodes.get(key);
  if (!rec) return undefined;
  switch (rec.status) {
    case 'succeeded':
    case 'compensating':
    case 'compensated':
      frame.vars.set(node.id, rec.output ?? null);
      if (node.compensate && rec.status === 'succeeded')
        frame.saga.add({
          key,
          node,
          compensation: node.compensate,
          frame,
          seq: rec.finishedSeq ?? 0,
        });
      return 'succeeded' as const;
    case 'skipped':
      frame.vars.set(node.id, null);
      return 'skipped' as const;
    case 'failed':
      throw fromErrorInfo(rec.error ?? { name: 'ToolError', message: 'failed', code: 'error' });
    default:
      return undefined;
  }
}

/**
 * Runs one node instance: replays it from the journal if it finished before, applies skip
 * propagation and `if`, journals started/succeeded/failed/cancelled around the work.
 */
export async function runNode(
  ctx: RunContext,
  node: CNode,
  frame: RunScope,
  skipDep: boolean,
): Promise<'succeeded' | 'skipped'> {
  const key = frame.suffix === '' ? node.id : node.id + frame.suffix;
  if (ctx.replaying) {
    const replayed = finishedFromJournal(ctx, node, frame, key);
    if (replayed) return replayed;
  }
  if (ctx.stopping) throw frame.signal.reason ?? new Suspension();
  const { leaf, toolCall } = node.def.exec;
  if (leaf) ctx.activity.leaves += 1;
  try {
    // Below the top level, each instance counts once over the run: one the journal has
    // (in flight when the last process ended) was counted then (`journaledBodyNodes`).
    if (frame.parent !== null && !(ctx.replaying && ctx.journal.state.nodes.has(key)))
      chargeBodyNodes(ctx, 1);
    if (skipDep || (node.if && !evaluateBool(node.if, frame, node.refs, `"if" of ${node.id}`))) {
      ctx.journal.append({
        type: 'node.skipped',
        key,
        node: node.id,
        reason: skipDep ? 'dependency' : 'condition',
        seq: 0,
        at: 0,
      });
      frame.vars.set(node.id, null);
      return 'skipped';
    }
    // A call journals its own start, folded into its first try when it has no approval
    // to wait for (`runCallNode`); every other kind starts here.
    if (!toolCall)
      ctx.journal.append({
        type: 'node.started',
        key,
        node: node.id,
        kind: node.kind,
        seq: 0,
        at: 0,
      });
    const timeout = toolCall ? undefined : node.timeoutMs;
    const output =
      timeout === undefined
        ? await dispatch(ctx, node, frame, key)
        : await withNodeTimeout(ctx, node, frame, key, timeout);
    ctx.journal.append({ type: 'node.succeeded', key, output, seq: 0, at: 0 });
    frame.vars.set(node.id, output);
    if (node.compensate) {
      const seq = ctx.journal.state.nodes.get(key)?.finishedSeq ?? 0;
      frame.saga.add({ key, node, compensation: node.compensate, frame, seq });
    }
    return 'succeeded';
  } catch (thrown) {
    if (thrown instanceof Suspension || (ctx.stopping && isSuspending(frame))) throw thrown;
    const rec = ctx.journal.state.nodes.get(key);
    if (frame.signal.aborted) {
      if (rec && (rec.status === 'running' || rec.status === 'waiting'))
        ctx.journal.append({
          type: 'node.cancelled',
          key,
          reason: reasonText(frame.signal.reason),
        });
      throw frame.signal.reason;
    }
    const error = toError(thrown);
    tagErrorNode(error, key);
    // Failed before it was journaled as started (its `if`, its arguments, the budget).
    if (!rec || rec.status === 'pending')
      ctx.journal.append({ type: 'node.started', key, node: node.id, kind: node.kind });
    ctx.journal.append({ type: 'node.failed', key, error: toErrorInfo(error) });
    throw error;
  } finally {
    if (leaf) {
      ctx.activity.leaves -= 1;
      if (
        shouldSuspend({
          leaves: ctx.activity.leaves,
          waiting: ctx.activity.waiting,
          stopping: ctx.stopping,
        })
      )
        ctx.suspend();
    }
  }
}

function isSuspending(frame: RunScope): boolean {
  return frame.signal.reason instanceof Suspension;
}

function reasonText(reason: unknown): string {
  return reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
}

async function withNodeTimeout(
  ctx: RunContext,
  node: CNode,
  frame: RunScope,
  key: string,
  ms: number,
): Promise<unknown> {
  const inner = new Frame(frame, { vars: frame.vars });
  const timer = setTimeout(() => {
    inner.controller.abort(
      new TimeoutError(`node ${key} did not finish within ${ms} ms`, {
        details: { node: key, timeout_ms: ms },
      }),
    );
  }, ms);
  let work: Promise<unknown> | undefined;
  try {
    work = Promise.resolve(dispatch(ctx, node, inner, key));
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        if (inner.signal.aborted) reject(inner.signal.reason);
        inner.signal.addEventListener('abort', () => reject(inner.signal.reason), { once: true });
      }),
    ]);
  } catch (thrown) {
    // Aborted, the node still settles only once its run step has: what the step started
    // goes on until it ends (a tool call, abandoned at once) or is stopped by the run's stop
    // signal (a `try`'s compensations), so nothing outlives the node or the run.
    if (work && inner.signal.aborted) await work.catch(() => undefined);
    throw thrown;
  } finally {
    clearTimeout(timer);
    inner.dispose();
  }
}

/** The kind's run step: every kind runs through its own module (`src/plan/kinds/`). */
function dispatch(ctx: RunContext, node: CNode, frame: RunScope, key: string): unknown {
  return node.def.run(ctx.rt, node, frame, key);
}
