import {
  ApprovalDeniedError,
  BudgetExceededError,
  toToolplanError,
} from '../errors/runtime-errors.ts';
import { ToolplanError } from '../errors/toolplan-error.ts';
import type { RegisteredTool } from '../tool/registry.ts';
import { backoffDelay, isRetryable, type ResolvedRetry } from './backoff.ts';
import { type AttemptSpec, invokeTool, isThenable } from './invoke-tool.ts';
import { fromErrorInfo, type RunContext, toErrorInfo } from './run-context.ts';
import { sleep } from './sleep.ts';

/**
 * One tool call with its retries: every try journaled before it is made, the budget checked
 * per try, backoff between tries. Shared by call nodes, their fallbacks, pages and
 * compensations.
 */
export interface CallTarget {
  key: string;
  nodeId: string;
  idempotencyKey: string;
  tool: RegisteredTool;
  args: unknown;
  policy: ResolvedRetry;
  timeoutMs: number | undefined;
  signal: AbortSignal;
  /** Compensations are not counted against max_tool_calls: undoing must not be refused. */
  budgeted: boolean;
  /** Set by the paths that passed the approval gate (call nodes and their fallbacks). */
  approved?: boolean;
  /**
   * The node is not journaled as started yet: its first try is announced by `node.started`
   * itself (with `attempt: 1`) rather than by a separate `node.attempt`.
   */
  start?: { node: string; kind: string };
}

/**
 * Tries a call up to `attempts` times with backoff; every try is journaled first.
 * Not `async`: a first try that has nothing to flush and whose tool answers synchronously
 * returns the output (or throws) at once, with no promise made; anything else is a promise.
 */
export function callWithRetry(ctx: RunContext, t: CallTarget): unknown {
  // Fail closed: a tool that requires approval is never called from a path that did not ask
  // for it (a paginate call, a compensation), whatever the plan says.
  if (t.tool.tool.requires_approval && !t.approved) {
    throw new ApprovalDeniedError(
      `${t.tool.name} requires a person's approval, which ${t.key} cannot wait for; it was not called`,
      { retryable: false, details: { tool: t.tool.name, node: t.key } },
    );
  }
  const first = ctx.replaying ? firstAttempt(ctx, t) : 1;
  announceAttempt(ctx, t, first, true);
  // The attempt must be durable before the call it announces is made (a store that
  // appends synchronously, like memory, has nothing pending: no turn is spent waiting).
  if (ctx.journal.pending) return retryFrom(ctx, t, first, true);
  let out: unknown;
  try {
    out = invokeTool(ctx, attemptSpec(t, first));
  } catch (thrown) {
    return afterFailedTry(ctx, t, first, thrown);
  }
  return isThenable(out)
    ? out.then(undefined, (thrown: unknown) => afterFailedTry(ctx, t, first, thrown))
    : out;
}

/**
 * Where a resumed call's tries go on: after the last one that failed (a try in flight when
 * the run stopped runs again, with its number and idempotency key). When the failed tries
 * already spent the policy, the last failure is the call's, and the tool is not called.
 */
function firstAttempt(ctx: RunContext, t: CallTarget): number {
  const last = ctx.journal.state.retries.get(t.key);
  if (!last || (last.tool !== undefined && last.tool !== t.tool.name)) return 1;
  const next = last.attempt + 1;
  if (last.retry && next <= t.policy.attempts) return next;
  if (t.start)
    ctx.journal.append({
      type: 'node.started',
      key: t.key,
      node: t.start.node,
      kind: t.start.kind,
    });
  throw fromErrorInfo(last.error);
}

function attemptSpec(t: CallTarget, attempt: number): AttemptSpec {
  return {
    tool: t.tool,
    args: t.args,
    idempotencyKey: t.idempotencyKey,
    nodeId: t.nodeId,
    attempt,
    timeoutMs: t.timeoutMs,
    signal: t.signal,
  };
}

/** Checks the budget and journals the try (not durable yet: the caller flushes). */
function announceAttempt(ctx: RunContext, t: CallTarget, attempt: number, first: boolean): void {
  if (t.budgeted && ctx.journal.state.toolCalls >= ctx.maxToolCalls) {
    throw new BudgetExceededError(`the run reached max_tool_calls (${ctx.maxToolCalls})`, {
      retryable: false,
      details: { max_tool_calls: ctx.maxToolCalls },
    });
  }
  if (first && t.start) {
    const { node, kind } = t.start;
    ctx.journal.append({
      type: 'node.started',
      key: t.key,
      node,
      kind,
      attempt,
      tool: t.tool.name,
      seq: 0,
      at: 0,
    });
  } else ctx.journal.append({ type: 'node.attempt', key: t.key, attempt, tool: t.tool.name });
}

/** The tries from `attempt` on (`announced`: that one is journaled, maybe not flushed). */
async function retryFrom(
  ctx: RunContext,
  t: CallTarget,
  attempt: number,
  announced: boolean,
): Promise<unknown> {
  for (; ; attempt++, announced = false) {
    if (!announced) announceAttempt(ctx, t, attempt, false);
    if (ctx.journal.pending) await ctx.journal.flush();
    try {
      return await invokeTool(ctx, attemptSpec(t, attempt));
    } catch (thrown) {
      await failedTry(ctx, t, attempt, thrown);
    }
  }
}

async function afterFailedTry(
  ctx: RunContext,
  t: CallTarget,
  attempt: number,
  thrown: unknown,
): Promise<unknown> {
  await failedTry(ctx, t, attempt, thrown);
  return retryFrom(ctx, t, attempt + 1, false);
}

/** Journals a failed try; throws when no retry follows, else waits out the backoff. */
async function failedTry(
  ctx: RunContext,
  t: CallTarget,
  attempt: number,
  thrown: unknown,
): Promise<void> {
  if (t.signal.aborted) throw t.signal.reason;
  const error = toError(thrown);
  const retry = attempt < t.policy.attempts && isRetryable(t.policy, error);
  const delay = retry ? backoffDelay(t.policy, attempt, ctx.random) : undefined;
  ctx.journal.append({
    type: 'node.attempt_failed',
    key: t.key,
    attempt,
    tool: t.tool.name,
    error: toErrorInfo(error),
    ...(delay === undefined ? {} : { retry_in_ms: delay }),
    ...(delay !== undefined && t.policy.jitter === 'full'
      ? { retry_jitter_max_ms: backoffDelay({ ...t.policy, jitter: 'none' }, attempt) }
      : {}),
  });
  if (!retry) throw error;
  await sleep(delay!, t.signal);
}

export function toError(thrown: unknown): ToolplanError {
  return thrown instanceof ToolplanError ? thrown : toToolplanError(thrown);
}
