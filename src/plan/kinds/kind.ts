import type { z } from 'zod';
import type { CompiledValue } from '../../expr/compiled-value.ts';
import type { ListGraph } from '../list-graph.ts';
import type { RetrySpecT } from './common.ts';
import type { CompactReader, CompactWriter } from './compact-port.ts';
import type { TypeCx } from './type-port.ts';

/**
 * What a node kind means, declared once: every layer that deals with kinds (validator,
 * plan graph, expression typing, compiler, executor, compact syntax, docs) reads it from
 * here, so a kind is one module and the layers cannot disagree about it.
 */

/** A node as it comes in: not yet checked, so every field is unknown. */
export type Fields = Readonly<Record<string, unknown>>;

/** What a `${ }` in a field must give, checked against its inferred type. */
export type SiteExpect = 'bool' | 'list' | 'number' | { args: unknown };

/** A field of the node that may hold `${ }` expressions. */
export interface SitePart {
  part: 'site';
  /** JSON pointer from the node to the field: `args`, `fallback/0/args`. */
  key: string;
  role: string;
  value: unknown;
  /** Names bound here besides those of the enclosing lists (`cursor`, `page`, `result`). */
  binds?: readonly string[];
  /** The node's own id names its own output here (a compensation reads what it undoes). */
  bindsSelf?: boolean;
  /** Evaluated in the scope of the body declared just before (a loop's `while`). */
  inBody?: boolean;
  /** Typed after the node's bodies (it reads their results). */
  late?: boolean;
  expects?: SiteExpect;
}

/** A list of nodes the node owns. */
export interface BodyPart {
  part: 'body';
  /** JSON pointer from the node to the list: `do`, `switch/0/do`. */
  key: string;
  role: string;
  value: unknown;
  /** Names bound in this body (and below) besides node ids. */
  binds: readonly string[];
}

export type KindPart = SitePart | BodyPart;

/** A value as messages quote it (cut to a few dozen characters). */
export type Preview = (value: unknown) => string;

/** The numeric caps the validator enforces, as the kinds see them. */
export interface ShapeLimits {
  maxIterations: number;
  maxPages: number;
}

/** An issue a kind finds in its own node, as data (the validator reports it). */
export type KindIssue =
  | { key: string; severity: 'error' | 'warning'; code: string; message: string }
  | {
      /** zod issues of a part checked on its own (a fallback alternative). */
      zod: z.core.$ZodIssue[];
      key: string;
      value: unknown;
      label: string;
      fields: readonly string[];
    };

export interface KindShape {
  /** Allowed fields of a nested object at this pointer suffix (`/paginate`), for messages. */
  fieldsAt(suffix: string): readonly string[] | undefined;
  /**
   * Parts checked apart from the schema (replaced in the copy the schema sees), with the
   * issues found in them: a fallback alternative gets a message of its own.
   */
  detach(node: Fields, preview: Preview): { replace: Record<string, unknown>; issues: KindIssue[] };
  /** Checks beyond the schema: caps, cases that can never be chosen, unused fields. */
  lint(node: Fields, limits: ShapeLimits, preview: Preview): KindIssue[];
}

/** How the kind reads in the compact syntax (prompts/compact-syntax.md). */
export interface CompactOption {
  word: string;
  field: string;
  /** How the option's value is read and written. */
  form: 'expr' | 'number' | 'flag' | 'name' | 'word' | 'call' | 'fallbacks' | 'pick';
  /** What the value is, for "expected ..." messages. */
  what?: string;
}

export interface KindCompact<S> {
  /** The keyword after `id =` (`map`, `wait`); empty for `call`, which starts with a name. */
  word: string;
  /** The head ends at a `{` body. */
  block: boolean;
  /** Options of this kind, in the order they are printed. */
  options: readonly CompactOption[];
  /** Common options (if, after, timeout, retry) are printed before the kind's own. */
  commonFirst: boolean;
  /** Reads what follows the keyword, up to the options. */
  head(r: CompactReader, node: Record<string, unknown>): void;
  /** Reads what follows the options (bodies); `at` is where the keyword was. */
  tail(r: CompactReader, node: Record<string, unknown>, at: number): void;
  /** Writes the head (after `id = `) and the tail (after the options). */
  print(w: CompactWriter, node: S): { head: string; tail: string };
}

/** How the executor treats the kind around its run step. */
export interface KindExec {
  /** Leaf work (no bodies): counted as busy while it runs, for detecting suspension. */
  leaf: boolean;
  /**
   * Holds a tool slot: parked while the slots are taken, journals its own start (folded
   * into its first try) and applies `timeout_ms` per try rather than around the node.
   */
  toolCall: boolean;
}

export type RunStep<S, C> = (
  rt: KindRuntime,
  node: CompiledNode<S, C>,
  frame: RunScope,
  key: string,
) => unknown;

export interface NodeKindDef<S = unknown, C = unknown> {
  /** The field that marks a node of this kind: a node has exactly one such field. */
  key: string;
  /** One line for the table of kinds in the docs. */
  summary: string;
  schema: z.ZodType<S>;
  /** Bodies and expression fields in document order: the plan graph's hook. */
  parts(node: Fields): KindPart[];
  shape: KindShape;
  types: {
    /** Type of a name this kind binds (in a body or a site of the given role). */
    local(name: string, role: string, t: TypeCx): string | undefined;
    output(t: TypeCx): string;
  };
  compact: KindCompact<S>;
  compile(node: S, cx: CompileCx): C;
  exec: KindExec;
  run: RunStep<S, C>;
}

/** Only for storing kinds of different types side by side: each is used with its own. */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds definitions of every S and C
export type AnyKindDef = NodeKindDef<any, any>;

/** Declares a kind with its types checked against one another. */
export function defineKind<S, C>(def: NodeKindDef<S, C>): NodeKindDef<S, C> {
  return def;
}

export const FACETS = [
  'key',
  'summary',
  'schema',
  'parts',
  'shape',
  'types',
  'compact',
  'compile',
  'exec',
  'run',
] as const satisfies ReadonlyArray<keyof NodeKindDef>;

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
  /** Items one map may run over (`limits.max_items`). */
  readonly maxItems: number;
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
  /**
   * Undoes a scope's finished nodes; the error that goes on after `error`. Not under the
   * frame's signal (a Ctrl-C or a deadline must not leave charges unrefunded): the run's
   * stop signal ends it, or `signal` when a kind passes one; stopped so, it throws a
   * CancelledError and the run stays resumable (a resume finishes them).
   */
  compensate(scope: SagaScopeLike, error: unknown, signal?: AbortSignal): Promise<unknown>;
  /** The run suspends (waits for approval): never caught as a failure. */
  isSuspension(error: unknown): boolean;
  tagErrorNode(error: unknown, key: string): void;
  errorNode(error: unknown): string | undefined;
  errorInfo(error: unknown): { name: string; message: string; node?: string };
}
