import {
  ApprovalDeniedError,
  BudgetExceededError,
  InvalidArgsError,
  toToolplanError,
} from '../errors/runtime-errors.ts';
import { ToolplanError } from '../errors/toolplan-error.ts';
import type { CallNodeT } from '../plan/plan-schema.ts';
import { checkArgs, type RegisteredTool } from '../tool/registry.ts';
import { backoffDelay, isRetryable, type ResolvedRetry, resolveRetry } from './backoff.ts';
import type { CNode, Compiled } from './compile-plan.ts';
import { evaluateIn } from './evaluate.ts';
import { invokeTool } from './invoke-tool.ts';
import { type Frame, type RunContext, Suspension, toErrorInfo } from './run-context.ts';
import { sleep } from './sleep.ts';

/** Finds a tool the run may call; a typed error before anything runs otherwise. */
export function resolveTool(ctx: RunContext, name: string): RegisteredTool {
  if (ctx.allow && !ctx.allow.has(name)) {
    throw new ToolplanError('ToolNotAllowed', `tool "${name}" is not allowed in this run`, {
      code: 'tool_not_allowed',
      blame: 'model',
      retryable: false,
      details: { tool: name, allowed: [...ctx.allow] },
    });
  }
  const tool = ctx.registry.get(name);
  if (!tool) {
    throw new ToolplanError('UnknownTool', `no tool named "${name}" is registered`, {
      code: 'unknown_tool',
      blame: 'model',
      retryable: false,
      details: { tool: name },
    });
  }
  return tool;
}

function checkedArgs(tool: RegisteredTool, args: unknown): unknown {
  const issues = checkArgs(tool, args);
  if (issues.length > 0) {
    throw new InvalidArgsError(
      `arguments for ${tool.name} do not match its input schema: ${issues
        .slice(0, 3)
        .map((i) => `${i.path || '/'} ${i.message}`)
        .join('; ')}`,
      { retryable: false, details: { tool: tool.name, issues: issues.slice(0, 10) } },
    );
  }
  return args;
}

/** Fresh arguments per call: a tool that mutates its args must not change the plan. */
function argsFor(c: Compiled, frame: Frame, refs: readonly string[], extra?: object): unknown {
  if (c.kind === 'const') {
    const v = c.value;
    return v && typeof v === 'object' && Object.keys(v).length > 0 ? structuredClone(v) : v;
  }
  return evaluateIn(c, frame, refs, extra as Record<string, unknown> | undefined);
}

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
}

/** Tries a call up to `attempts` times with backoff; every try is journaled first. */
export async function callWithRetry(ctx: RunContext, t: CallTarget): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    if (t.budgeted && ctx.journal.state.toolCalls >= ctx.maxToolCalls) {
      throw new BudgetExceededError(`the run reached max_tool_calls (${ctx.maxToolCalls})`, {
        retryable: false,
        details: { max_tool_calls: ctx.maxToolCalls },
      });
    }
    ctx.journal.append({ type: 'node.attempt', key: t.key, attempt, tool: t.tool.name });
    // The attempt must be durable before the call it announces is made.
    await ctx.journal.flush();
    try {
      return await invokeTool(ctx, {
        tool: t.tool,
        args: t.args,
        idempotencyKey: t.idempotencyKey,
        nodeId: t.nodeId,
        attempt,
        timeoutMs: t.timeoutMs,
        signal: t.signal,
      });
    } catch (thrown) {
      if (t.signal.aborted) throw t.signal.reason;
      const error = toError(thrown);
      const retry = attempt < t.policy.attempts && isRetryable(t.policy, error);
      const delay = retry ? backoffDelay(t.policy, attempt, ctx.random) : undefined;
      ctx.journal.append({
        type: 'node.attempt_failed',
        key: t.key,
        attempt,
        error: toErrorInfo(error),
        ...(delay === undefined ? {} : { retry_in_ms: delay }),
      });
      if (!retry) throw error;
      await sleep(delay!, t.signal);
    }
  }
}

export function toError(thrown: unknown): ToolplanError {
  return thrown instanceof ToolplanError ? thrown : toToolplanError(thrown);
}

/** Waits for a person's go-ahead; the decision is journaled and survives resumes. */
async function awaitApproval(
  ctx: RunContext,
  key: string,
  nodeId: string,
  tool: string,
  args: unknown,
  signal: AbortSignal,
): Promise<void> {
  const decided = ctx.journal.state.approvals.get(key);
  if (decided === undefined) {
    ctx.journal.append({ type: 'node.waiting', key, node: nodeId, tool, args });
    let approved: boolean;
    if (ctx.approve) {
      await ctx.journal.flush();
      approved =
        (await ctx.approve({ runId: ctx.runId, key, node: nodeId, tool, args, signal })) === true;
      ctx.journal.append({ type: 'approval.decided', key, approved, by: 'callback' });
    } else {
      // Nobody to ask: wait until the run has nothing else to do, then it suspends.
      ctx.waiting.set(key, { key, node: nodeId, tool, args });
      ctx.busy -= 1;
      try {
        await new Promise<never>((_, reject) => {
          if (signal.aborted) return reject(signal.reason);
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          ctx.suspend();
        });
      } finally {
        ctx.busy += 1;
        ctx.waiting.delete(key);
      }
      throw new Suspension();
    }
    if (approved) return;
  } else if (decided) return;
  throw new ApprovalDeniedError(`a person denied the call to ${tool} (node ${key})`, {
    retryable: false,
    details: { tool, node: key },
  });
}

/** A `call` node: approval, argument check, retries, then the fallback chain. */
export async function runCallNode(
  ctx: RunContext,
  node: CNode,
  frame: Frame,
  key: string,
): Promise<unknown> {
  const spec = node.spec as CallNodeT;
  const tool = resolveTool(ctx, spec.call);
  const args = argsFor(node.args!, frame, node.refs);
  if (spec.approval || tool.tool.requires_approval)
    await awaitApproval(ctx, key, node.id, tool.name, args, frame.signal);
  const target: CallTarget = {
    key,
    nodeId: node.id,
    idempotencyKey: `${ctx.runId}/${key}`,
    tool,
    args: checkedArgs(tool, args),
    policy: resolveRetry(tool.tool.retry, spec.retry),
    timeoutMs: spec.timeout_ms ?? tool.tool.timeout_ms,
    signal: frame.signal,
    budgeted: true,
  };
  try {
    return await callWithRetry(ctx, target);
  } catch (error) {
    if (!node.fallback || frame.signal.aborted || !fallbackApplies(error)) throw error;
    let last = error;
    for (let i = 0; i < node.fallback.length; i++) {
      const alt = node.fallback[i]!;
      try {
        if (alt.value) return evaluateIn(alt.value, frame, node.refs);
        const altTool = resolveTool(ctx, alt.call!);
        const altKey = `${key}/fallback/${i}`;
        const altArgs = argsFor(alt.args!, frame, node.refs);
        if (altTool.tool.requires_approval)
          await awaitApproval(ctx, altKey, node.id, altTool.name, altArgs, frame.signal);
        return await callWithRetry(ctx, {
          ...target,
          idempotencyKey: `${ctx.runId}/${altKey}`,
          tool: altTool,
          args: checkedArgs(altTool, altArgs),
          policy: resolveRetry(altTool.tool.retry, spec.retry),
          timeoutMs: spec.timeout_ms ?? altTool.tool.timeout_ms,
        });
      } catch (altError) {
        if (frame.signal.aborted || !fallbackApplies(altError)) throw altError;
        last = altError;
      }
    }
    throw last;
  }
}

function fallbackApplies(error: unknown): boolean {
  const name = (error as Error)?.name;
  return !(error instanceof Suspension) && name !== 'BudgetExceeded' && name !== 'Cancelled';
}
