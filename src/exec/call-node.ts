import {
  ApprovalDeniedError,
  BudgetExceededError,
  CancelledError,
  InvalidArgsError,
} from '../errors/runtime-errors.ts';
import { ToolplanError } from '../errors/toolplan-error.ts';
import { EMPTY_ARGS } from '../plan/kinds/call.ts';
import type {
  CallPrepSlot,
  CallStepNode,
  CallStepSpec,
  Compiled,
  RunScope,
} from '../plan/kinds/kind.ts';
import { checkArgs, type RegisteredTool } from '../tool/registry.ts';
import { type ResolvedRetry, resolveRetry } from './backoff.ts';
import { type CallTarget, callWithRetry } from './call-retry.ts';
import { evaluateIn } from './evaluate.ts';
import { isThenable } from './invoke-tool.ts';
import { type RunContext, Suspension, toErrorInfo } from './run-context.ts';

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

/** The InvalidArgs error for arguments that fail the tool's input schema, or undefined. */
function argsError(tool: RegisteredTool, args: unknown): InvalidArgsError | undefined {
  const issues = checkArgs(tool, args);
  if (issues.length === 0) return undefined;
  return new InvalidArgsError(
    `arguments for ${tool.name} do not match its input schema: ${issues
      .slice(0, 3)
      .map((i) => `${i.path || '/'} ${i.message}`)
      .join('; ')}`,
    { retryable: false, details: { tool: tool.name, issues: issues.slice(0, 10) } },
  );
}

function checkedArgs(tool: RegisteredTool, args: unknown): unknown {
  const error = argsError(tool, args);
  if (error) throw error;
  return args;
}

/** Fresh arguments per call: a tool that mutates its args must not change the plan. */
function argsFor(c: Compiled, frame: RunScope, refs: readonly string[], extra?: object): unknown {
  if (c.kind === 'const') return cloneJson(c.value);
  return evaluateIn(c, frame, refs, extra as Record<string, unknown> | undefined);
}

/** A copy of a JSON value, much cheaper than structuredClone for the small args of a call. */
export function cloneJson(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = cloneJson(v[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  // Not plain JSON (a Date, a Map from a plan built in code): keep the general copy.
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const k in v) out[k] = cloneJson((v as Record<string, unknown>)[k]);
  return out;
}

/**
 * What a call node needs about its tool, worked out once per plan node rather than once
 * per call (a node of a map body runs once per item): the retry policy, and whether its
 * constant arguments passed the tool's input schema.
 */
interface CallPrep {
  tool: RegisteredTool;
  policy: ResolvedRetry;
  constArgsOk: boolean;
}

/** Per tool: its own retry policy, and the prep of calls with no arguments and no retry. */
const toolPolicies = new WeakMap<RegisteredTool, ResolvedRetry>();
const emptyArgsPreps = new WeakMap<RegisteredTool, CallPrep>();

function prepare(node: CallStepNode, tool: RegisteredTool, spec: CallStepSpec): CallPrep {
  const cached = node.c.prep;
  if (isPrepOf(cached, tool)) return cached;
  // Nodes that differ in nothing the prep depends on share one: a plan of 100,000 calls
  // must not keep 100,000 copies of the same policy alive for the whole run.
  const shared = spec.retry === undefined && node.c.args === EMPTY_ARGS;
  let p = shared ? emptyArgsPreps.get(tool) : undefined;
  if (!p) {
    let policy = spec.retry === undefined ? toolPolicies.get(tool) : undefined;
    if (!policy) {
      policy = resolveRetry(tool.tool.retry, spec.retry);
      if (spec.retry === undefined) toolPolicies.set(tool, policy);
    }
    p = { tool, policy, constArgsOk: false };
    if (shared) emptyArgsPreps.set(tool, p);
  }
  node.c.prep = p;
  return p;
}

/** The slot holds this tool's prep (only `prepare` fills it, always with a CallPrep). */
function isPrepOf(slot: CallPrepSlot | undefined, tool: RegisteredTool): slot is CallPrep {
  return slot?.tool === tool;
}

/**
 * Waits for a person's go-ahead; the decision is journaled and survives resumes. `key` is
 * the decision's key; `waiter`, when given, is the node instance that waits for it when
 * that is not `key` (a fallback alternative decides under `<key>/fallback/<i>`, but the
 * node waiting, and journaled as waiting, is the call node itself).
 */
async function awaitApproval(
  ctx: RunContext,
  key: string,
  nodeId: string,
  tool: string,
  args: unknown,
  signal: AbortSignal,
  waiter?: string,
): Promise<void> {
  const decided = ctx.journal.state.approvals.get(key);
  if (decided === undefined) {
    ctx.journal.append(
      waiter === undefined
        ? { type: 'node.waiting', key, node: nodeId, tool, args }
        : { type: 'node.waiting', key: waiter, node: nodeId, tool, args, approval: key },
    );
    let approved: boolean;
    if (ctx.approve) {
      await ctx.journal.flush();
      approved =
        (await ctx.approve({ runId: ctx.runId, key, node: nodeId, tool, args, signal })) === true;
      ctx.journal.append({
        type: 'approval.decided',
        key,
        approved,
        by: 'callback',
        ...(waiter === undefined ? {} : { waiter }),
      });
    } else {
      // Nobody to ask: wait until the run has nothing else to do, then it suspends.
      ctx.activity.wait({ key, node: nodeId, tool, args });
      try {
        await new Promise<never>((_, reject) => {
          if (signal.aborted) return reject(signal.reason);
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          ctx.suspend();
        });
      } finally {
        ctx.activity.unwait(key);
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

/**
 * A `call` node: approval, argument check, retries, then the fallback chain. Not `async`:
 * a call with no approval to wait for whose tool answers synchronously finishes at once,
 * with no promise made (a plan of 100,000 such calls makes none); otherwise a promise.
 */
export function runCallNode(
  ctx: RunContext,
  node: CallStepNode,
  frame: RunScope,
  key: string,
): unknown {
  const spec = node.spec;
  const tool = resolveTool(ctx, spec.call);
  const prep = prepare(node, tool, spec);
  const args = argsFor(node.c.args, frame, node.refs);
  const approval = spec.approval || tool.tool.requires_approval;
  if (approval) return approvedCall(ctx, { node, frame, key, spec, tool, prep, args }, true);
  return callNode(ctx, { node, frame, key, spec, tool, prep, args }, false);
}

interface CallJob {
  node: CallStepNode;
  frame: RunScope;
  key: string;
  spec: CallStepSpec;
  tool: RegisteredTool;
  prep: CallPrep;
  args: unknown;
}

async function approvedCall(ctx: RunContext, job: CallJob, approval: boolean): Promise<unknown> {
  const { node, frame, key, tool, args } = job;
  ctx.journal.append({ type: 'node.started', key, node: node.id, kind: node.kind });
  await awaitApproval(ctx, key, node.id, tool.name, args, frame.signal);
  return callNode(ctx, job, approval);
}

function callNode(ctx: RunContext, job: CallJob, approval: boolean): unknown {
  const { node, frame, key, spec, tool, prep, args } = job;
  const target: CallTarget = {
    key,
    nodeId: node.id,
    idempotencyKey: `${ctx.runId}/${key}`,
    tool,
    args,
    policy: prep.policy,
    timeoutMs: spec.timeout_ms ?? tool.tool.timeout_ms,
    signal: frame.signal,
    budgeted: true,
    approved: true,
    start: approval ? undefined : { node: node.id, kind: node.kind },
  };
  const constArgs = node.c.args.kind === 'const';
  if (!(constArgs && prep.constArgsOk)) {
    const invalid = argsError(tool, args);
    if (invalid) {
      if (!node.c.fallback) throw invalid;
      return fallbackAfterInvalidArgs(ctx, job, target, invalid, approval);
    }
    if (constArgs) prep.constArgsOk = true;
  }
  if (!node.c.fallback) return callWithRetry(ctx, target);
  let out: unknown;
  try {
    out = callWithRetry(ctx, target);
  } catch (error) {
    return runFallbacks(ctx, job, target, error);
  }
  return isThenable(out)
    ? out.then(undefined, (error: unknown) => runFallbacks(ctx, job, target, error))
    : out;
}

/**
 * The call's own arguments fail its input schema: the tool is not called, nor retried (the
 * same arguments fail again), and the fallback chain takes over as after any failed call.
 * The failure is journaled as the first try's, on a node journaled as started (with no
 * `attempt`: no call was made), so the alternatives' tries and the node's end land on a
 * running node and the reason is in the journal even when an alternative succeeds.
 */
function fallbackAfterInvalidArgs(
  ctx: RunContext,
  job: CallJob,
  target: CallTarget,
  error: InvalidArgsError,
  approval: boolean,
): Promise<unknown> {
  const { node, key } = job;
  // With approval the node was journaled as started before it waited.
  if (!approval) ctx.journal.append({ type: 'node.started', key, node: node.id, kind: node.kind });
  ctx.journal.append({ type: 'node.attempt_failed', key, attempt: 1, error: toErrorInfo(error) });
  return runFallbacks(ctx, job, target, error);
}

/** The fallback chain, in order, after the call's own tries failed with `error`. */
async function runFallbacks(
  ctx: RunContext,
  job: CallJob,
  target: CallTarget,
  error: unknown,
): Promise<unknown> {
  const { node, frame, key, spec } = job;
  const fallback = node.c.fallback;
  if (!fallback || frame.signal.aborted || !fallbackApplies(error)) throw error;
  let last = error;
  for (let i = 0; i < fallback.length; i++) {
    const alt = fallback[i]!;
    try {
      if (alt.kind === 'value') return evaluateIn(alt.value, frame, node.refs);
      const altTool = resolveTool(ctx, alt.call);
      const altKey = `${key}/fallback/${i}`;
      const altArgs = argsFor(alt.args, frame, node.refs);
      if (altTool.tool.requires_approval)
        await awaitApproval(ctx, altKey, node.id, altTool.name, altArgs, frame.signal, key);
      return await callWithRetry(ctx, {
        ...target,
        start: undefined,
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

/** A suspension, a spent budget or a cancellation stops the run: no alternative helps. */
function fallbackApplies(error: unknown): boolean {
  return !(
    error instanceof Suspension ||
    error instanceof BudgetExceededError ||
    error instanceof CancelledError
  );
}
