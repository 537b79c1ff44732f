import type { CompiledValue } from '../../expr/compiled-value.ts';
import type { ListGraph } from '../list-graph.ts';
import type { RetrySpecT } from '../plan-schema.ts';
import type { AnyKindDef } from './kind.ts';

/**
 * The executor as the kinds' run steps see it: compiled nodes and lists, the frame a list
 * runs in, and the operations a run step may use. Declared here, implemented by
 * `src/exec/`, so a kind's module depends on no executor file (no import cycle) and the
 * executor depends on the kinds only through this contract.
 */

/** A compiled value, or the error compiling it raised (thrown when the node runs). */
export type Compiled = CompiledValue | { kind: 'error'; error: unknown };

export interface CompiledList {
  nodes: CompiledNode[];
  graph: ListGraph;
  /** Indices of nodes no sibling depends on, for the plan's default output. */
  sinks: number[];
}

/** A compensation a finished node leaves behind (saga). */
export interface Compensation {
  call: string;
  args: Compiled;
}

/** A node ready to run: its kind, its common fields compiled, and its kind's own data. */
export interface CompiledNode<S = unknown, C = unknown> {
  readonly id: string;
  readonly kind: string;
  readonly def: AnyKindDef;
  readonly spec: S;
  /** Names this node's own expressions read (not its bodies'), to build their scope. */
  readonly refs: string[];
  readonly if: Compiled | undefined;
  /** `timeout_ms`, common to every kind. */
  readonly timeoutMs: number | undefined;
  readonly compensate: Compensation | undefined;
  /** What the kind compiled (`compile`). */
  readonly c: C;
}

/** What `compile` gets: its node's values and bodies, compiled by the compiler. */
export interface CompileCx {
  /** Compiles a value read in the node's scope (its names join the node's refs). */
  value(v: unknown): Compiled;
  /** Compiles a value read in a body's scope (a loop's `while`); its names stay its own. */
  inBody(v: unknown): { value: Compiled; refs: string[] };
  /** The compiled bodies with this role, in order. */
  bodies(role: string): CompiledList[];
  /** The one body with this role (an empty list when the node has none). */
  body(role: string): CompiledList;
  /** The compensation of a call (the saga), if it declares one. */
  compensate(c: Compensation | undefined): void;
}

export interface SagaEntry {
  key: string;
  node: CompiledNode;
  compensation: Compensation;
  frame: RunScope;
  seq: number;
}

/** The compensable nodes finished inside one scope (the run, or a `try` body). */
export interface SagaScopeLike {
  readonly entries: SagaEntry[];
  add(entry: SagaEntry): void;
}

/**
 * One execution of a list: the outputs of its nodes by id and the names it binds, its
 * enclosing frame, the suffix its node instance keys get, and the signal that cancels it.
 */
export interface RunScope {
  readonly vars: Map<string, unknown>;
  readonly parent: RunScope | null;
  readonly suffix: string;
  readonly saga: SagaScopeLike;
  readonly controller: AbortController;
  readonly signal: AbortSignal;
  lookup(name: string): unknown;
  dispose(): void;
}

export interface ChildScope {
  vars?: Map<string, unknown>;
  suffix?: string;
  saga?: SagaScopeLike;
}

/** A tool call journaled under a key of its own (a page of `paginate`). */
export interface SubCall {
  key: string;
  /** The kind its journal record gets (`page`). */
  kind: string;
  nodeId: string;
  call: string;
  args: () => unknown;
  retry: RetrySpecT | undefined;
  timeoutMs: number | undefined;
  signal: AbortSignal;
}

/** What the executor's call machinery reads of a call node (the `call` kind's spec). */
export interface CallStepSpec {
  call: string;
  approval?: boolean;
  retry?: RetrySpecT;
  timeout_ms?: number;
}

/** A fallback alternative, compiled. */
export type CAlt =
  | { kind: 'call'; call: string; args: Compiled }
  | { kind: 'value'; value: Compiled };

/** What the executor works out once per call node about its tool (a cache it fills). */
export interface CallPrepSlot {
  readonly tool: object;
}

/** What the `call` kind compiles. */
export interface CallCompiled {
  args: Compiled;
  fallback: CAlt[] | undefined;
  /** Filled by the executor on the node's first call: shared by every instance of a body. */
  prep: CallPrepSlot | undefined;
}

export type CallStepNode = CompiledNode<CallStepSpec, CallCompiled>;

export interface KindRuntime {
  readonly mapConcurrency: number;
  evaluate(
    c: Compiled,
    frame: RunScope,
    refs: readonly string[],
    extra?: Record<string, unknown>,
  ): unknown;
  evaluateBool(
    c: Compiled,
    frame: RunScope,
    refs: readonly string[],
    what: string,
    extra?: Record<string, unknown>,
  ): boolean;
  child(parent: RunScope, options?: ChildScope): RunScope;
  /** Runs a list in `frame`, then releases the frame. */
  runBody(list: CompiledList, frame: RunScope): Promise<unknown>;
  runNode(node: CompiledNode, frame: RunScope): Promise<'succeeded' | 'skipped'>;
  /** The call node machinery: approval, argument check, retries, fallbacks. */
  runCall(node: CallStepNode, frame: RunScope, key: string): unknown;
  /** A tool call journaled as its own step; replayed from the journal when it finished. */
  subCall(call: SubCall): Promise<unknown>;
  emit(key: string, topic: string, data: unknown): Promise<void>;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  newSaga(): SagaScopeLike;
  /** Undoes a scope's finished nodes; the error that goes on after `error`. */
  compensate(scope: SagaScopeLike, error: unknown, signal: AbortSignal): Promise<unknown>;
  /** The run suspends (waits for approval): never caught as a failure. */
  isSuspension(error: unknown): boolean;
  tagErrorNode(error: unknown, key: string): void;
  errorNode(error: unknown): string | undefined;
  errorInfo(error: unknown): { name: string; message: string; node?: string };
}
