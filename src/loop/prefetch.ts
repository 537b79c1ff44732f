import {
  type CompiledValue,
  compileValue,
  evaluateValue,
  refsOfValue,
} from '../expr/compiled-value.ts';
import { checkArgs, ToolRegistry } from '../tool/registry.ts';
import type { ToolContext } from '../tool/tool.ts';

/**
 * LLMCompiler's trick without touching the executor: while the plan streams in, each
 * complete `call` node that is safe to run early starts at once and its promise is kept.
 * When the plan is complete and valid, the executor runs with tools wrapped so that a call
 * with the same tool and arguments takes the prefetched promise instead of calling again.
 * Only read-only calls qualify (not mutating, no approval), so prefetches of a plan that
 * turns out invalid are simply dropped.
 */

export interface ToolCallRecord {
  name: string;
  args: unknown;
  nodeId: string;
  /** ms since the task started. */
  start: number;
  end?: number;
  ok?: boolean;
  prefetched?: boolean;
}

export interface ToolCallObserver {
  onStart(record: ToolCallRecord): void;
  onEnd(record: ToolCallRecord): void;
}

/** JSON with sorted keys, so `{a,b}` and `{b,a}` are the same call. */
export function stableKey(name: string, args: unknown): string {
  return `${name}\u0000${stable(args)}`;
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export interface PrefetchDecision {
  ok: boolean;
  tool?: string;
  /** The node's args, compiled; evaluated once `deps` have their outputs. */
  args?: CompiledValue;
  /** Earlier prefetched nodes whose outputs the args read. */
  deps?: string[];
  reason?: string;
}

/**
 * Pure: whether a streamed node may start early. It must be a plain read-only call (no
 * condition, ordering, approval, fallback or compensation) whose args read only `input`,
 * literals, and the outputs of nodes already prefetched (`known`): the dataflow runs
 * while the plan is still being written, as in LLMCompiler.
 */
export function prefetchable(
  node: unknown,
  registry: ToolRegistry,
  known: ReadonlySet<string> = new Set(),
): PrefetchDecision {
  if (!node || typeof node !== 'object') return { ok: false, reason: 'not an object' };
  const n = node as Record<string, unknown>;
  if (typeof n.call !== 'string' || typeof n.id !== 'string')
    return { ok: false, reason: 'not a call' };
  for (const key of ['if', 'after', 'approval', 'compensate', 'fallback']) {
    if (n[key] !== undefined) return { ok: false, reason: `has ${key}` };
  }
  const tool = registry.get(n.call);
  if (!tool) return { ok: false, reason: 'unknown tool' };
  if (tool.tool.mutating || tool.tool.requires_approval) {
    return { ok: false, reason: 'mutating or requires approval' };
  }
  let args: CompiledValue;
  const deps: string[] = [];
  try {
    args = compileValue(n.args ?? {});
    for (const ref of refsOfValue(args)) {
      if (ref === 'input') continue;
      if (!known.has(ref)) return { ok: false, reason: `depends on ${ref}` };
      deps.push(ref);
    }
  } catch {
    return { ok: false, reason: 'args do not compile' };
  }
  return { ok: true, tool: n.call, args, deps };
}

interface Prefetched {
  tool: string;
  /** The call's key once its args are known; undefined when it was dropped. */
  key: Promise<string | undefined>;
  result: Promise<unknown>;
  taken: boolean;
}

export class PrefetchCache {
  readonly #byNode = new Map<string, Prefetched>();
  readonly #registry: ToolRegistry;
  readonly #observer: ToolCallObserver;
  readonly #clock: () => number;
  readonly #runId: string;
  #dropped = false;

  constructor(
    registry: ToolRegistry,
    observer: ToolCallObserver,
    clock: () => number,
    runId: string,
  ) {
    this.#registry = registry;
    this.#observer = observer;
    this.#clock = clock;
    this.#runId = runId;
  }

  /** Ids of nodes prefetched (or waiting for their inputs to be prefetched). */
  get ids(): ReadonlySet<string> {
    return new Set(this.#byNode.keys());
  }

  /**
   * Starts the call as soon as its deps' prefetched outputs exist. If a dep fails, or the
   * args do not check, the node is dropped and the executor will run it itself.
   * Promises never reject unhandled: the executor sees any error.
   */
  start(
    nodeId: string,
    decision: PrefetchDecision,
    input: unknown,
    signal: AbortSignal,
    onStart?: (record: ToolCallRecord) => void,
  ): void {
    const registered = decision.tool ? this.#registry.get(decision.tool) : undefined;
    if (!registered || !decision.args || this.#byNode.has(nodeId)) return;
    const compiled = decision.args;
    const deps = (decision.deps ?? []).map((id) => this.#byNode.get(id)?.result);
    let resolveKey!: (key: string | undefined) => void;
    const key = new Promise<string | undefined>((r) => {
      resolveKey = r;
    });
    const result = (async () => {
      let args: unknown;
      try {
        const outputs = await Promise.all(deps);
        const scope: Record<string, unknown> = { input: input ?? null };
        (decision.deps ?? []).forEach((id, i) => {
          scope[id] = outputs[i];
        });
        args = evaluateValue(compiled, scope);
      } catch (error) {
        resolveKey(undefined);
        throw error;
      }
      if (this.#dropped || signal.aborted || checkArgs(registered, args).length > 0) {
        resolveKey(undefined);
        throw new Error('prefetch dropped');
      }
      resolveKey(stableKey(registered.name, args));
      const record: ToolCallRecord = {
        name: registered.name,
        args,
        nodeId,
        start: this.#clock(),
        prefetched: true,
      };
      this.#observer.onStart(record);
      onStart?.(record);
      const ctx: ToolContext = {
        signal,
        idempotencyKey: `${this.#runId}/${nodeId}`,
        runId: this.#runId,
        nodeId,
        attempt: 1,
      };
      return observed(record, this.#observer, this.#clock, () =>
        registered.tool.execute(args, ctx),
      );
    })();
    result.catch(() => {});
    this.#byNode.set(nodeId, { tool: registered.name, key, result, taken: false });
  }

  /**
   * The prefetched result for this node, if one was started with this very tool and args;
   * taken once. Waits for a dependent prefetch to know its args.
   */
  async take(
    nodeId: string,
    toolName: string,
    args: unknown,
  ): Promise<{ result: Promise<unknown> } | undefined> {
    const entry = this.#byNode.get(nodeId);
    if (!entry || entry.taken || entry.tool !== toolName) return undefined;
    const key = await entry.key;
    if (key === undefined || key !== stableKey(toolName, args) || entry.taken) return undefined;
    entry.taken = true;
    return { result: entry.result };
  }

  /** Forgets every prefetch (an invalid plan's): dependents not started yet never start. */
  clear(): void {
    this.#dropped = true;
    this.#byNode.clear();
  }
}

/** Runs a tool call and completes its record: whether it succeeded, and when it ended. */
async function observed<T>(
  record: ToolCallRecord,
  observer: ToolCallObserver,
  clock: () => number,
  run: () => Promise<T> | T,
): Promise<T> {
  try {
    const value = await run();
    record.ok = true;
    return value;
  } catch (error) {
    record.ok = false;
    throw error;
  } finally {
    record.end = clock();
    observer.onEnd(record);
  }
}

/**
 * The registry the executor runs with: each tool records its calls and, on its first
 * attempt, reuses a prefetched promise for the same arguments.
 */
export function instrumentTools(
  registry: ToolRegistry,
  observer: ToolCallObserver,
  clock: () => number,
  cache?: PrefetchCache,
): ToolRegistry {
  return ToolRegistry.from(
    registry.list().map((r) => {
      const inner = r.tool;
      return {
        ...inner,
        async execute(args: unknown, ctx: ToolContext) {
          const hit = ctx.attempt === 1 ? await cache?.take(ctx.nodeId, r.name, args) : undefined;
          if (hit) return hit.result;
          const record: ToolCallRecord = { name: r.name, args, nodeId: ctx.nodeId, start: clock() };
          observer.onStart(record);
          return observed(record, observer, clock, () => inner.execute(args, ctx));
        },
      };
    }),
    'instrumented',
  );
}
