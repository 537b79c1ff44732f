import type { CompactContext, CompactReader } from '../plan/kinds/compact-port.ts';
import type { AnyKindDef } from '../plan/kinds/kind.ts';
import type { Cursor } from './cursor.ts';
import type { ParserCore } from './parser-core.ts';
import type { ScanContext } from './scan-expression.ts';
import { headContext, LINE_CONTEXT, WHEN_CONTEXT } from './syntax.ts';

/** The parser as one kind's compact facet reads it (`CompactReader`). */
export class KindReader implements CompactReader {
  readonly #p: ParserCore;
  readonly #kind: AnyKindDef;

  constructor(parser: ParserCore, kind: AnyKindDef) {
    this.#p = parser;
    this.#kind = kind;
  }

  get pos(): number {
    return this.#p.c.pos;
  }

  #ctx(ctx: CompactContext): ScanContext {
    if (ctx === 'head') return headContext(this.#kind);
    return ctx === 'when' ? WHEN_CONTEXT : LINE_CONTEXT;
  }

  value(ctx: CompactContext, jsonField: boolean, what: string, atStart?: boolean): unknown {
    return this.#p.requireValue(this.#ctx(ctx), jsonField, what, atStart);
  }

  optionalValue(ctx: CompactContext, jsonField: boolean): { value: unknown } | undefined {
    return this.#p.parseValue(this.#ctx(ctx), jsonField);
  }

  block(what: string): unknown[] {
    return this.#p.parseBlock(what);
  }

  optionalBlock(word: string, what: string): unknown[] | undefined {
    return this.#p.optionalBlock(word, what);
  }

  number(what: string): number {
    this.#p.c.skipSpaces();
    return this.#p.c.readNumber(what);
  }

  string(what: string): string {
    const c: Cursor = this.#p.c;
    c.skipSpaces();
    const s = c.readString();
    if (s === undefined) c.fail(`expected ${what}, found ${c.describe()}`);
    return s;
  }

  name(what: string): string {
    const c: Cursor = this.#p.c;
    c.skipSpaces();
    const s = c.at() === '"' ? c.readString() : c.readName();
    if (s === undefined) c.fail(`expected ${what}, found ${c.describe()}`);
    return s;
  }

  callTarget(): { call: string; args?: Record<string, unknown> } {
    return this.#p.parseCallTarget();
  }

  require(
    node: Record<string, unknown>,
    at: number,
    label: string,
    example: string,
    parts: Array<[string, string]>,
  ): void {
    this.#p.requireAll(node, at, label, example, parts);
  }

  clauses(what: string, words: readonly string[], clause: (word: string) => void): number {
    return this.#p.clauses(what, words, clause, this.#kind.compact.word || this.#kind.key);
  }

  report(at: number, message: string): void {
    this.#p.report(at, message);
  }

  fail(message: string): never {
    return this.#p.c.fail(message);
  }
}
