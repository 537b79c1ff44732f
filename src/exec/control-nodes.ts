import {
  AllFailedError,
  ExpressionError,
  ToleranceExceededError,
} from '../errors/runtime-errors.ts';
import type { MapNodeT, PaginateNodeT, RaceNodeT } from '../plan/plan-schema.ts';
import { resolveRetry } from './backoff.ts';
import { callWithRetry, resolveTool, toError } from './call-node.ts';
import { type CNode, refsOf } from './compile-plan.ts';
import { evaluateBool, evaluateIn } from './evaluate.ts';
import { runBody, runList, runNode } from './node-runner.ts';
import {
  errorNode,
  Frame,
  type RunContext,
  SagaScope,
  Suspension,
  tagErrorNode,
  toErrorInfo,
} from './run-context.ts';
import { afterCompensation, compensate } from './saga.ts';

function asList(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) {
    throw new ExpressionError(`${what} must be a list, got ${v === null ? 'null' : typeof v}`, {
      code: 'expression_type',
      retryable: false,
    });
  }
  return v;
}

/**
 * `map`: a pool of `concurrency` workers over the items; each item runs the body in its
 * own frame (`as`, `index` bound; instance keys get `/index`). Failures beyond
 * `tolerate` (a fraction of the items) fail the map and cancel the items in flight.
 */
export async function runMap(ctx: RunContext, node: CNode, frame: Frame, key: string) {
  const spec = node.spec as MapNodeT;
  const items = asList(evaluateIn(node.list!, frame, node.refs), `"map" of ${node.id}`);
  const n = items.length;
  const results: unknown[] = new Array(n).fill(null);
  const as = spec.as ?? 'item';
  const allowed = spec.tolerate === undefined ? 0 : Math.floor(spec.tolerate * n);
  const pool = new Frame(frame);
  let next = 0;
  let failures = 0;
  let fatal: unknown;
  const worker = async () => {
    while (next < n && fatal === undefined) {
      const i = next++;
      const itemFrame = new Frame(pool, {
        vars: new Map<string, unknown>([
          [as, items[i]],
          ['index', i],
        ]),
        suffix: `${frame.suffix}/${i}`,
      });
      try {
        results[i] = await runBody(ctx, node.body!, itemFrame);
      } catch (error) {
        if (pool.signal.aborted || error instanceof Suspension) {
          fatal ??= error;
          return;
        }
        failures += 1;
        if (failures > allowed) {
          fatal =
            spec.tolerate === undefined
              ? error
              : new ToleranceExceededError(
                  `${failures} of ${n} items of ${key} failed, more than tolerate=${spec.tolerate} allows; first: ${(error as Error).message}`,
                  { cause: error, retryable: false, details: { failed: failures, items: n } },
                );
          if (fatal !== error) tagErrorNode(fatal, errorNode(error) ?? key);
          pool.controller.abort(fatal);
          return;
        }
      }
    }
  };
  const width = Math.min(n, spec.concurrency ?? ctx.mapConcurrency);
  const workers: Promise<void>[] = [];
  for (let w = 0; w < width; w++) workers.push(worker());
  try {
    await Promise.all(workers);
  } finally {
    pool.dispose();
  }
  if (fatal !== undefined) throw frame.signal.aborted ? frame.signal.reason : fatal;
  return results;
}

/** `race`: each branch is one node; the first success wins and the others are cancelled. */
export async function runRace(ctx: RunContext, node: CNode, frame: Frame, key: string) {
  const spec = node.spec as RaceNodeT;
  const branches = node.branches!.nodes;
  const raceFrame = new Frame(frame);
  const outcomes: Array<{ ok: boolean; value: unknown }> = [];
  let winner: { value: unknown } | undefined;
  const pickFirst = (spec.pick ?? 'first') === 'first';
  try {
    await Promise.all(
      branches.map((b, i) =>
        runNode(ctx, b, raceFrame, false).then(
          (outcome) => {
            const value = outcome === 'skipped' ? null : raceFrame.vars.get(b.id);
            outcomes[i] = { ok: outcome === 'succeeded', value };
            if (pickFirst && outcome === 'succeeded' && !winner) {
              winner = { value };
              raceFrame.controller.abort(
                Object.assign(new Error(`lost the race to ${b.id}`), { name: 'Cancelled' }),
              );
            }
          },
          (error: unknown) => {
            outcomes[i] = { ok: false, value: error };
          },
        ),
      ),
    );
  } finally {
    raceFrame.dispose();
  }
  if (frame.signal.aborted) throw frame.signal.reason;
  const suspended = outcomes.find((o) => o.value instanceof Suspension);
  if (suspended && !winner) throw suspended.value;
  if (pickFirst) {
    if (winner) return winner.value;
  } else {
    let best: { score: number; value: unknown } | undefined;
    for (const o of outcomes) {
      if (!o?.ok) continue;
      const score = evaluateIn(node.score!, frame, node.refs, { result: o.value });
      if (typeof score !== 'number') {
        throw new ExpressionError(`"score" of ${node.id} must be a number`, { retryable: false });
      }
      if (!best || score > best.score) best = { score, value: o.value };
    }
    if (best) return best.value;
  }
  const errors = outcomes.map((o) => toErrorInfo(o?.value));
  throw new AllFailedError(
    `every branch of race ${key} failed: ${errors.map((e) => `${e.node ?? '?'}: ${e.name}: ${e.message}`).join('; ')}`,
    { retryable: false, details: { errors } },
  );
}

export async function runSwitch(ctx: RunContext, node: CNode, frame: Frame) {
  for (const c of node.cases!) {
    if (c.when && !evaluateBool(c.when, frame, node.refs, `"when" of ${node.id}`)) continue;
    return runBody(ctx, c.body, new Frame(frame));
  }
  return null;
}

/** `loop`: runs the body, then checks `while` in the iteration's scope. */
export async function runLoop(ctx: RunContext, node: CNode, frame: Frame) {
  const spec = node.spec as { max_iterations: number };
  const whileRefs = refsOf(node.while);
  let last: unknown = null;
  for (let k = 0; k < spec.max_iterations; k++) {
    const iter = new Frame(frame, {
      vars: new Map<string, unknown>([
        ['iteration', k],
        ['last', last],
      ]),
      suffix: `${frame.suffix}/${k}`,
    });
    const out = await runBody(ctx, node.body!, iter);
    const again = evaluateBool(node.while!, iter, whileRefs, `"while" of ${node.id}`);
    last = out;
    if (!again) break;
  }
  return last;
}

/** `paginate`: one journaled call per page (`key/page/k`), so a resume skips fetched pages. */
export async function runPaginate(ctx: RunContext, node: CNode, frame: Frame, key: string) {
  const spec = node.spec as PaginateNodeT;
  const tool = resolveTool(ctx, spec.paginate.call);
  const all: unknown[] = [];
  let cursor: unknown = null;
  for (let p = 0; p < spec.max_pages; p++) {
    const pageKey = `${key}/page/${p}`;
    const rec = ctx.journal.state.nodes.get(pageKey);
    let page: unknown;
    if (rec?.status === 'succeeded') page = rec.output;
    else {
      ctx.journal.append({ type: 'node.started', key: pageKey, node: node.id, kind: 'page' });
      try {
        const args = evaluateIn(node.args!, frame, node.refs, { cursor });
        page = await callWithRetry(ctx, {
          key: pageKey,
          nodeId: node.id,
          idempotencyKey: `${ctx.runId}/${pageKey}`,
          tool,
          args,
          policy: resolveRetry(tool.tool.retry, spec.retry),
          timeoutMs: spec.timeout_ms ?? tool.tool.timeout_ms,
          signal: frame.signal,
          budgeted: true,
        });
      } catch (thrown) {
        if (frame.signal.aborted) {
          if (!(frame.signal.reason instanceof Suspension))
            ctx.journal.append({ type: 'node.cancelled', key: pageKey, reason: 'cancelled' });
          throw frame.signal.reason;
        }
        const error = toError(thrown);
        tagErrorNode(error, pageKey);
        ctx.journal.append({ type: 'node.failed', key: pageKey, error: toErrorInfo(error) });
        throw error;
      }
      ctx.journal.append({ type: 'node.succeeded', key: pageKey, output: page });
    }
    const items = asList(evaluateIn(node.items!, frame, node.refs, { page }), `"items" of ${key}`);
    for (const item of items) all.push(item);
    const next = evaluateIn(node.next!, frame, node.refs, { page });
    if (next === null || next === undefined) break;
    cursor = next;
  }
  return all;
}

/**
 * `try`: on an error in the body, the body's finished nodes are compensated first, then
 * `catch` runs with `error` in scope; `finally` runs in every case but cancellation.
 */
export async function runTry(ctx: RunContext, node: CNode, frame: Frame) {
  const scope = new SagaScope();
  let output: unknown;
  let failure: { error: unknown } | undefined;
  try {
    output = await runBody(ctx, node.body!, new Frame(frame, { saga: scope }));
    for (const e of scope.entries) frame.saga.add(e);
  } catch (error) {
    if (frame.signal.aborted || error instanceof Suspension) {
      // The run is stopping: the run-level saga decides about these nodes.
      for (const e of scope.entries) frame.saga.add(e);
      throw error;
    }
    const failures = await compensate(ctx, scope.entries, frame.signal);
    const err = afterCompensation(error, failures);
    if (node.catchBody) {
      const info = toErrorInfo(err);
      const errorVar = { name: info.name, message: info.message, node: info.node ?? null };
      try {
        output = await runBody(
          ctx,
          node.catchBody,
          new Frame(frame, { vars: new Map([['error', errorVar]]) }),
        );
      } catch (catchError) {
        failure = { error: catchError };
      }
    } else failure = { error: err };
  }
  if (node.finallyBody && !frame.signal.aborted) {
    await runBody(ctx, node.finallyBody, new Frame(frame));
  }
  if (failure) throw failure.error;
  return output;
}

export { runList };
