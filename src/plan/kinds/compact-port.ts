/**
 * What a kind's compact-syntax facet sees of the compact parser and printer
 * (`src/compact/`), which implement these: the kind reads and writes its own head and
 * tail with them, and the grammar's shared parts (values, bodies, options) stay there.
 */

/** Where a value is read: in the kind's head (ends at its option words), a line, a `when`. */
export type CompactContext = 'head' | 'line' | 'when';

export type CallTargetT = { call: string; args?: Record<string, unknown> };

export interface CompactReader {
  /** Offset in the text, for errors reported later. */
  readonly pos: number;
  /** A value or expression; `jsonField`: a JSON literal stays literal. */
  value(ctx: CompactContext, jsonField: boolean, what: string, atStart?: boolean): unknown;
  /** An optional value: undefined at the end of the statement. */
  optionalValue(ctx: CompactContext, jsonField: boolean): { value: unknown } | undefined;
  /** A `{ ... }` body. */
  block(what: string): unknown[];
  /** `word { ... }` if it follows (after blank lines), else nothing is read. */
  optionalBlock(word: string, what: string): unknown[] | undefined;
  number(what: string): number;
  /** A quoted string. */
  string(what: string): string;
  /** A quoted string or a bare name. */
  name(what: string): string;
  callTarget(): CallTargetT;
  /** Reports what `parts` (field, words) the node lacks: `label needs ... e.g. example`. */
  require(
    node: Record<string, unknown>,
    at: number,
    label: string,
    example: string,
    parts: Array<[string, string]>,
  ): void;
  /**
   * A `{ ... }` of clauses, each starting with one of `words` (`when COND {...}`): calls
   * `clause` for each; reports errors and resynchronises at the next line. Returns where
   * the `{` is.
   */
  clauses(what: string, words: readonly string[], clause: (word: string) => void): number;
  report(at: number, message: string): void;
  fail(message: string): never;
}

export interface CompactWriter {
  /** A value in `ctx`: bare when it reads back the same, else `${ }` or JSON. */
  value(v: unknown, ctx: CompactContext, jsonField: boolean): string;
  /** A value where a tool call could also start (`value` in front when needed). */
  startValue(v: unknown): string;
  /** A call target after `compensate`/`paginate`. */
  target(t: CallTargetT): string;
  /** A call where a value could also stand. */
  startCall(t: CallTargetT): string;
  block(nodes: unknown[]): string;
  /** A `{ ... }` of clauses, one per line, written by `write` with a writer one level in. */
  clauses(write: (inner: CompactWriter) => string[]): string;
  /** A name bare when it reads back (not an option word of the kind), else JSON. */
  name(n: string): string;
  /** An identifier bare, anything else as JSON. */
  word(s: string): string;
}
