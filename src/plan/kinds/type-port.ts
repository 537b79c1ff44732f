/**
 * What a kind's typing facet sees of the expression checker, for one node: the types it
 * inferred for the node's fields and bodies, and the helpers to combine them. Types are
 * CEL type names (`dyn` when unknown).
 */
export interface TypeCx {
  readonly node: Readonly<Record<string, unknown>>;
  /** The type of `error` in a `catch`. */
  readonly errorType: string;
  /** The inferred type of the whole-field expression at `key` (`value`, `map`), if any. */
  siteAt(key: string): string | undefined;
  /** The output type of the first body with this role (dyn when there is none). */
  body(role: string): string;
  /** The output types of every body with this role, in order. */
  bodies(role: string): string[];
  /** The output types of each node of the first body with this role (race branches). */
  branches(role: string): string[];
  /**
   * The output type of the first body with this role while that body is still being typed
   * (a loop's `last`): dyn now, and the expression is checked again once it is known.
   */
  deferredBody(role: string): string;
  /** The output type of the tool the node calls (dyn without an output schema). */
  tool(): string;
  common(types: string[]): string;
  literal(value: unknown): string;
  /** The type a node's output has when its expression gives `type`. */
  outputOf(type: string): string;
  element(type: string): string;
  isList(type: string): boolean;
}
