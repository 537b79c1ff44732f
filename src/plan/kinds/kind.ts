import type { z } from 'zod';
import type { CompactReader, CompactWriter } from './compact-port.ts';
import type { CompileCx, CompiledNode, KindRuntime, RunScope } from './runtime.ts';
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
