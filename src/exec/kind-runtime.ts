import { CancelledError } from '../errors/runtime-errors.ts';
import type {
  CallStepNode,
  ChildScope,
  Compiled,
  CompiledList,
  CompiledNode,
  KindRuntime,
  RunScope,
  SagaScopeLike,
  SubCall,
} from '../plan/kinds/kind.ts';
import { resolveRetry } from './backoff.ts';
import { resolveTool, runCallNode } from './call-node.ts';
import { callWithRetry, toError } from './call-retry.ts';
import { evaluateBool, evaluateIn } from './evaluate.ts';
import { runBody, runNode } from './node-runner.ts';
import {
  errorNode,
  Frame,
  type RunContext,
  SagaScope,
  Suspension,
  tagErrorNode,
  toErrorInfo,
} from './run-context.ts';
import { afterCompensation, compensate, pendingCompensations } from './saga.ts';
import { sleep } from './sleep.ts';

/**
 * The executor as the kinds' run steps see it (`KindRuntime`): one per run, bound to its
 * context. The kinds get the runner passed in rather than importing it, so the runner and
 * the kinds do not import each other.
 */
export class ExecRuntime implements KindRuntime {
  #ctx!: RunContext;
  /** Steps of the `try` compensations in progress (told to `onCompensating`). */
  #compensating = 0;

  /** Binds the runtime to the run it serves (the context holds the runtime in turn). */
  attach(ctx: RunContext): this {
    this.#ctx = ctx;
    return this;
  }

  get mapConcurrency(): number {
    return this.#ctx.mapConcurrency;
  }

  get maxItems(): number {
    return this.#ctx.maxItems;
  }

  evaluate(
    c: Compiled,
    frame: RunScope,
    refs: readonly string[],
    extra?: Record<string, unknown>,
  ): unknown {
    return evaluateIn(c, frame, refs, extra);
  }

  evaluateBool(
    c: Compiled,
    frame: RunScope,
    refs: readonly string[],
    what: string,
    extra?: Record<string, unknown>,
  ): boolean {
    return evaluateBool(c, frame, refs, what, extra);
  }

  child(parent: RunScope, options?: ChildScope): RunScope {
    return new Frame(parent, options);
  }

  runBody(list: CompiledList, frame: RunScope): Promise<unknown> {
    return runBody(this.#ctx, list, frame);
  }

  runNode(node: CompiledNode, frame: RunScope): Promise<'succeeded' | 'skipped'> {
    return runNode(this.#ctx, node, frame, false);
  }

  runCall(node: CallStepNode, frame: RunScope, key: string): unknown {
    return runCallNode(this.#ctx, node, frame, key);
  }

  async subCall(call: SubCall): Promise<unknown> {
    const ctx = this.#ctx;
    const { key, signal } = call;
    const tool = resolveTool(ctx, call.call);
    const rec = ctx.journal.state.nodes.get(key);
    if (rec?.status === 'succeeded') return rec.output;
    ctx.journal.append({ type: 'node.started', key, node: call.nodeId, kind: call.kind });
    let output: unknown;
    try {
      output = await callWithRetry(ctx, {
        key,
        nodeId: call.nodeId,
        idempotencyKey: `${ctx.runId}/${key}`,
        tool,
        args: call.args(),
        policy: resolveRetry(tool.tool.retry, call.retry),
        timeoutMs: call.timeoutMs ?? tool.tool.timeout_ms,
        signal,
        budgeted: true,
      });
    } catch (thrown) {
      if (signal.aborted) {
        if (!(signal.reason instanceof Suspension))
          ctx.journal.append({ type: 'node.cancelled', key, reason: 'cancelled' });
        throw signal.reason;
      }
      const error = toError(thrown);
      tagErrorNode(error, key);
      ctx.journal.append({ type: 'node.failed', key, error: toErrorInfo(error) });
      throw error;
    }
    ctx.journal.append({ type: 'node.succeeded', key, output });
    return output;
  }

  async emit(key: string, topic: string, data: unknown): Promise<void> {
    const ctx = this.#ctx;
    ctx.journal.append({ type: 'emit', key, topic, data });
    await ctx.journal.flush();
    try {
      ctx.onEmit?.(topic, data);
    } catch {
      // A subscriber's bug is not the plan's failure.
    }
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return sleep(ms, signal);
  }

  newSaga(): SagaScopeLike {
    return new SagaScope();
  }

  async compensate(scope: SagaScopeLike, error: unknown, signal?: AbortSignal): Promise<unknown> {
    const ctx = this.#ctx;
    const pending = pendingCompensations(ctx, scope.entries);
    if (pending.length === 0) return error;
    const stops = [ctx.stopSignal, signal].filter((s) => s !== undefined);
    const stop = stops.length > 0 ? AbortSignal.any(stops) : new AbortController().signal;
    this.#compensating += pending.length;
    ctx.onCompensating?.(this.#compensating);
    let failures: Awaited<ReturnType<typeof compensate>>;
    try {
      failures = await compensate(ctx, pending, stop);
    } finally {
      this.#compensating -= pending.length;
      ctx.onCompensating?.(this.#compensating);
    }
    if (stop.aborted)
      throw new CancelledError(
        `the compensations of run ${ctx.runId} were stopped before they finished; resume the run (toolplan resume ${ctx.runId}) to finish them`,
      );
    return afterCompensation(error, failures);
  }

  isSuspension(error: unknown): boolean {
    return error instanceof Suspension;
  }

  tagErrorNode(error: unknown, key: string): void {
    tagErrorNode(error, key);
  }

  errorNode(error: unknown): string | undefined {
    return errorNode(error);
  }

  errorInfo(error: unknown): { name: string; message: string; node?: string } {
    return toErrorInfo(error);
  }
}
