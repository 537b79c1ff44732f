import { setMaxListeners } from 'node:events';
import { ToolplanError } from '../errors/toolplan-error.ts';
import type { KindRuntime, RunScope, SagaEntry, SagaScopeLike } from '../plan/kinds/kind.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import type { RunActivity } from './activity.ts';
import type { ErrorInfo } from './events.ts';
import type { JournalWriter } from './journal-writer.ts';
import { Semaphore } from './semaphore.ts';

/** What the `approve` option is asked. */
export interface ApprovalRequest {
  runId: string;
  key: string;
  node: string;
  tool: string;
  args: unknown;
  signal: AbortSignal;
}

export type ApproveFn = (request: ApprovalRequest) => Promise<boolean> | boolean;

/** Thrown through the run to unwind it when it suspends for approval; never journaled. */
export class Suspension extends Error {
  constructor() {
    super('run suspended: waiting for approval');
    this.name = 'Suspension';
  }
}

export type { RunScope, SagaEntry };

/** The compensable nodes finished inside one scope (the run, or a `try` body). */
export class SagaScope implements SagaScopeLike {
  entries: SagaEntry[] = [];
  add(entry: SagaEntry): void {
    this.entries.push(entry);
  }
}

const MISSING = Symbol('missing');

/**
 * One execution of a list: the outputs of its nodes by id plus the names it binds
 * (`item`, `index`, `error`, ...), its enclosing frame, the suffix its node instance keys
 * get, and the signal that cancels what runs in it.
 */
export class Frame implements RunScope {
  readonly vars: Map<string, unknown>;
  readonly parent: RunScope | null;
  readonly suffix: string;
  readonly saga: SagaScopeLike;
  readonly controller: AbortController;
  readonly #parentSignal: AbortSignal | undefined;
  readonly #onParentAbort: (() => void) | undefined;

  constructor(
    parent: RunScope | null,
    options: {
      vars?: Map<string, unknown>;
      suffix?: string;
      saga?: SagaScopeLike;
      signal?: AbortSignal;
    } = {},
  ) {
    this.parent = parent;
    this.vars = options.vars ?? new Map();
    this.suffix = options.suffix ?? parent?.suffix ?? '';
    this.saga = options.saga ?? parent?.saga ?? new SagaScope();
    this.controller = new AbortController();
    // Every tool call in flight listens to its frame's signal; that is not a leak.
    setMaxListeners(0, this.controller.signal);
    const up = options.signal ?? parent?.signal;
    if (up) {
      if (up.aborted) this.controller.abort(up.reason);
      else {
        this.#parentSignal = up;
        this.#onParentAbort = () => this.controller.abort(up.reason);
        up.addEventListener('abort', this.#onParentAbort, { once: true });
      }
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  lookup(name: string): unknown {
    for (let f: RunScope | null = this; f; f = f.parent) {
      const v = f.vars.get(name);
      if (v !== undefined || f.vars.has(name)) return v;
    }
    return MISSING;
  }

  /** Stops listening to the enclosing signal: a finished frame must not leak listeners. */
  dispose(): void {
    if (this.#onParentAbort) this.#parentSignal?.removeEventListener('abort', this.#onParentAbort);
  }
}

export function isMissing(v: unknown): boolean {
  return v === MISSING;
}

export interface RunContext {
  runId: string;
  /** The executor as the kinds' run steps see it (`src/exec/kind-runtime.ts`). */
  rt: KindRuntime;
  journal: JournalWriter;
  registry: ToolRegistry;
  allow: ReadonlySet<string> | undefined;
  global: Semaphore;
  toolSems: Map<string, Semaphore>;
  maxToolCalls: number;
  /** Items one map may run over. */
  maxItems: number;
  /** Body node runs allowed over the run, and how many have started (resumes included). */
  maxNodes: number;
  bodyNodes: number;
  mapConcurrency: number;
  approve: ApproveFn | undefined;
  /** Ends compensations, the run's and a `try`'s (the frames' signals do not). */
  stopSignal?: AbortSignal | undefined;
  /** Told the steps being compensated when compensations start, and again as they end. */
  onCompensating?: ((steps: number) => void) | undefined;
  onEmit: ((topic: string, data: unknown) => void) | undefined;
  random: () => number;
  /** Leaf work in progress and calls waiting for approval: what `shouldSuspend` decides on. */
  activity: RunActivity;
  /** Checks `shouldSuspend` after the current turn, and suspends the run if it holds then. */
  suspend: () => void;
  /** Set once the run stops for good (cancel, deadline, suspension). */
  stopping: boolean;
  /**
   * The journal held node records when this drive began (a resume): only then can a node
   * instance have finished before, so only then is each one looked up before it runs.
   */
  replaying: boolean;
}

export function toolSemaphore(ctx: RunContext, name: string, limit: number | undefined) {
  if (!limit) return undefined;
  let s = ctx.toolSems.get(name);
  if (!s) {
    s = new Semaphore(limit);
    ctx.toolSems.set(name, s);
  }
  return s;
}

const errorNodes = new WeakMap<object, string>();

/** Remembers the first node instance an error came from (for `catch` and the result). */
export function tagErrorNode(error: unknown, key: string): void {
  if (error && typeof error === 'object' && !errorNodes.has(error)) errorNodes.set(error, key);
}

export function errorNode(error: unknown): string | undefined {
  return error && typeof error === 'object' ? errorNodes.get(error) : undefined;
}

export function toErrorInfo(error: unknown): ErrorInfo {
  const e = error as Partial<ToolplanError> & Error;
  const info: ErrorInfo = {
    name: e?.name ?? 'Error',
    message: e?.message ?? String(error),
    code: e?.code ?? 'error',
  };
  const node = errorNode(error);
  if (node) info.node = node;
  if (e?.retryable === false) info.retryable = false;
  if (e?.details && Object.keys(e.details).length) info.details = jsonSafe(e.details);
  return info;
}

/** An error read back from the journal, so a replayed failure fails the same way. */
export function fromErrorInfo(info: ErrorInfo): ToolplanError {
  const err = new ToolplanError(info.name, info.message, {
    code: info.code,
    blame: 'tool',
    retryable: info.retryable,
    details: info.details,
  });
  if (info.node) tagErrorNode(err, info.node);
  return err;
}

function jsonSafe(v: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
  } catch {
    return {};
  }
}
