import { InvalidOutputError, TimeoutError } from '../errors/runtime-errors.ts';
import { checkOutput, type RegisteredTool } from '../tool/registry.ts';
import type { ToolContext } from '../tool/tool.ts';
import { type RunContext, toolSemaphore } from './run-context.ts';
import type { Semaphore } from './semaphore.ts';

export interface AttemptSpec {
  tool: RegisteredTool;
  args: unknown;
  idempotencyKey: string;
  nodeId: string;
  attempt: number;
  timeoutMs: number | undefined;
  signal: AbortSignal;
}

/**
 * One try of one tool: takes a slot (the tool's own limit, then the run's), calls it with
 * a signal that aborts on timeout or cancellation, and races it against both, so a tool
 * that ignores its signal cannot hold the run. Its output is normalised to JSON and
 * checked against its output schema before anything else sees it.
 *
 * Not `async`: when both slots are free and the tool answers synchronously, the output
 * (or the error) comes back at once, with no promise made. Otherwise a promise.
 */
export function invokeTool(ctx: RunContext, spec: AttemptSpec): unknown {
  const toolSem = toolSemaphore(ctx, spec.tool.name, spec.tool.tool.concurrency);
  // A free slot is taken on the spot: no promise, no turn of the event loop.
  if (toolSem && !toolSem.tryAcquire()) return invokeQueued(ctx, spec, toolSem, false);
  if (!ctx.global.tryAcquire()) return invokeQueued(ctx, spec, toolSem, true);
  let raw: unknown;
  try {
    raw = callRaced(spec, ctx.runId);
  } catch (error) {
    ctx.global.release();
    toolSem?.release();
    throw error;
  }
  if (isThenable(raw)) return settleAsync(ctx, spec, toolSem, raw);
  ctx.global.release();
  toolSem?.release();
  return checkedOutput(spec.tool, raw);
}

/** The path that waits for a slot: the tool's own (unless held), then the run's. */
async function invokeQueued(
  ctx: RunContext,
  spec: AttemptSpec,
  toolSem: Semaphore | undefined,
  haveToolSlot: boolean,
): Promise<unknown> {
  const { signal } = spec;
  if (toolSem && !haveToolSlot) await toolSem.acquire(signal);
  if (!ctx.global.tryAcquire()) {
    try {
      await ctx.global.acquire(signal);
    } catch (error) {
      toolSem?.release();
      throw error;
    }
  }
  let raw: unknown;
  try {
    raw = callRaced(spec, ctx.runId);
    if (isThenable(raw)) raw = await raw;
  } finally {
    ctx.global.release();
    toolSem?.release();
  }
  return checkedOutput(spec.tool, raw);
}

async function settleAsync(
  ctx: RunContext,
  spec: AttemptSpec,
  toolSem: Semaphore | undefined,
  pending: PromiseLike<unknown>,
): Promise<unknown> {
  let raw: unknown;
  try {
    raw = await pending;
  } finally {
    ctx.global.release();
    toolSem?.release();
  }
  return checkedOutput(spec.tool, raw);
}

function checkedOutput(tool: RegisteredTool, raw: unknown): unknown {
  const output = toJson(raw, tool.name);
  if (tool.tool.outputSchema === undefined) return output;
  const issues = checkOutput(tool, output);
  if (issues.length > 0) {
    throw new InvalidOutputError(
      `tool ${tool.name} returned output that does not match its output schema: ${issues
        .slice(0, 3)
        .map((i) => `${i.path || '/'} ${i.message}`)
        .join('; ')}`,
      { details: { tool: tool.name, issues: issues.slice(0, 10) } },
    );
  }
  return output;
}

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof (v as { then?: unknown } | undefined)?.then === 'function';
}

/**
 * Calls the tool. A tool that returns synchronously with no timeout to enforce is done
 * already: its value comes back as is, with no promise and no abort listener made.
 * Exported for the loop's react mode, whose tools get the same timeout and signal race.
 */
export function callRaced(spec: AttemptSpec, runId: string): unknown {
  const { signal, timeoutMs } = spec;
  if (signal.aborted) throw signal.reason;
  if (timeoutMs === undefined) {
    const result = spec.tool.tool.execute(spec.args, {
      signal,
      idempotencyKey: spec.idempotencyKey,
      runId,
      nodeId: spec.nodeId,
      attempt: spec.attempt,
    });
    return isThenable(result) ? raceSignal(result, signal) : result;
  }
  return callWithTimeout(spec, runId, timeoutMs);
}

/** Settles with the tool's promise, or with the signal's reason if it aborts first. */
function raceSignal(result: PromiseLike<unknown>, signal: AbortSignal): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      if (settled) return;
      settled = true;
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    // Aborted while the tool was being called (by the tool itself, or a sibling's failure
    // it caused): no abort event will come now.
    if (signal.aborted) onAbort();
    // A late rejection after an abort must not become an unhandled rejection.
    Promise.resolve(result).then(
      (v) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function callWithTimeout(spec: AttemptSpec, runId: string, timeoutMs: number): Promise<unknown> {
  const { signal } = spec;
  // Only a timeout needs a signal of its own; otherwise the frame's signal (cancellation,
  // a lost race, a failed sibling) is the tool's, and no controller is made per call.
  const controller = timeoutMs === undefined ? undefined : new AbortController();
  return new Promise<unknown>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      controller?.abort(signal.reason);
      settle(false, signal.reason);
    };
    const settle = (ok: boolean, value: unknown) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (ok) resolve(value);
      else reject(value);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        const error = new TimeoutError(
          `tool ${spec.tool.name} did not finish within ${timeoutMs} ms`,
          { details: { tool: spec.tool.name, timeout_ms: timeoutMs } },
        );
        controller!.abort(error);
        settle(false, error);
      }, timeoutMs);
    }
    const ctx: ToolContext = {
      signal: controller ? controller.signal : signal,
      idempotencyKey: spec.idempotencyKey,
      runId,
      nodeId: spec.nodeId,
      attempt: spec.attempt,
    };
    let result: unknown;
    try {
      result = spec.tool.tool.execute(spec.args, ctx);
    } catch (error) {
      settle(false, error);
      return;
    }
    if (result !== null && typeof (result as { then?: unknown })?.then === 'function') {
      // A late rejection after a timeout must not become an unhandled rejection.
      Promise.resolve(result).then(
        (v) => settle(true, v),
        (e) => settle(false, e),
      );
    } else settle(true, result);
  });
}

/** A tool's output as JSON: undefined becomes null; what JSON cannot hold is an error. */
export function toJson(value: unknown, tool: string): unknown {
  if (value === undefined || value === null) return null;
  const t = typeof value;
  if (t === 'string' || t === 'boolean') return value;
  if (t === 'number') return Number.isFinite(value) ? (value as number) + 0 : null;
  const copy = plainJsonCopy(value, 0);
  if (copy !== NOT_PLAIN) return copy;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : JSON.parse(text);
  } catch (cause) {
    throw new InvalidOutputError(
      `tool ${tool} returned a value that is not JSON: ${String(cause)}`,
      {
        cause,
        details: { tool },
      },
    );
  }
}

const NOT_PLAIN: unique symbol = Symbol('not-plain');
/** Deeper (or cyclic) values take JSON.stringify, which words a cycle's error. */
const MAX_PLAIN_DEPTH = 64;

/**
 * What `JSON.parse(JSON.stringify(value))` gives, for plain objects, arrays and scalars,
 * without the text in between; NOT_PLAIN for anything else (a class instance, `toJSON`, a
 * bigint, a `__proto__` key), which goes through JSON itself.
 */
function plainJsonCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // JSON writes -0 as 0.
      return Number.isFinite(value) ? value + 0 : null;
    case 'object':
      break;
    default:
      return NOT_PLAIN;
  }
  if (value === null) return null;
  if (depth >= MAX_PLAIN_DEPTH) return NOT_PLAIN;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return NOT_PLAIN;
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      // JSON writes what it cannot say inside an array as null.
      const t = typeof item;
      const v =
        item === undefined || t === 'function' || t === 'symbol'
          ? null
          : plainJsonCopy(item, depth + 1);
      if (v === NOT_PLAIN) return NOT_PLAIN;
      out[i] = v;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  if ('toJSON' in value) return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return NOT_PLAIN;
    const item = (value as Record<string, unknown>)[key];
    const t = typeof item;
    // JSON leaves out a property it cannot say.
    if (item === undefined || t === 'function' || t === 'symbol') continue;
    const v = plainJsonCopy(item, depth + 1);
    if (v === NOT_PLAIN) return NOT_PLAIN;
    out[key] = v;
  }
  return out;
}
