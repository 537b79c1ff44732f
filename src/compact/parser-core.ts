// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
/**
 * The recursive-descent core shared by the node parsers: error collection and recovery,
 * bodies, values, argument lists and call targets. Grammar: prompts/compact-syntax.md.
 */
import { findExpressionEnd, skipCelStringLiteral } from '../expr/template.ts';
import type { CallTargetT } from '../plan/kinds/compact-port.ts';
import type { PlanNode } from '../plan/plan-schema.ts';
import { allFinite, type CompactError, Cursor, ParseFail } from './cursor.ts';
import { findMissingOperator, type ScanContext, scanExpression } from './scan-expression.ts';
import { ARG_CONTEXT, classifyStart, kindWords, literalOf, PLAN_WORDS } from './syntax.ts';

const MAX_ERRORS = 25;

/** Stops the parse once too many errors are collected: the rest is noise. */
export class TooManyErrors {}

export abstract class ParserCore {
  readonly c: Cursor;
  readonly errors: CompactError[] = [];
  private readonly errorAt = new Set<string>();

  constructor(text: string) {
    this.c = new Cursor(text);
  }

  /** One statement inside a body (a node), or at top level (a node or a plan setting). */
  protected abstract parseStatement(top: boolean): PlanNode | undefined;

  report(offset: number, message: string): void {
    const key = `${offset}:${message}`;
    if (this.errorAt.has(key)) return;
    this.errorAt.add(key);
    this.errors.push({ ...this.c.loc(offset), message });
    if (this.errors.length >= MAX_ERRORS) throw new TooManyErrors();
  }

  /** Reports a failure, then skips the rest of the statement, and any `{` it left open. */
  protected recover(err: unknown): void {
    if (!(err instanceof ParseFail)) throw err;
    this.report(err.offset, err.message);
    const text = this.c.text;
    const opens: number[] = [];
    let i = Math.max(this.c.pos, 0);
    while (i < text.length && text[i] !== '\n') {
      const ch = text[i]!;
      if (ch === '"' || ch === "'") {
        const end = skipCelStringLiteral(text, i);
        const nl = text.indexOf('\n', i);
        if (end < 0 || (nl >= 0 && end > nl)) {
          i = nl < 0 ? text.length : nl;
          break;
        }
        i = end;
        continue;
      }
      if (ch === '{') opens.push(i);
      else if (ch === '}') {
        if (opens.length === 0) break;
        opens.pop();
      } else if (ch === ';' && opens.length === 0) break;
      i += 1;
    }
    this.c.pos = i;
    // A `{` ending the line opened a body: skip that body too, checking what is inside.
    const last = opens.at(-1);
    if (last === undefined || !/^[ \t\r]*(#.*)?$/.test(text.slice(last + 1, i))) return;
    for (let k = opens.length - 1; k >= 0; k -= 1) this.parseBody(opens[k]!, false);
  }

  /** Statements up to the `}` closing the `{` at `open` (or to the end at top level). */
  parseBody(open: number | undefined, top: boolean): PlanNode[] {
    const c: Cursor = this.c;
    const nodes: PlanNode[] = [];
    for (;;) {
      c.skipBlank();
      if (c.atEnd()) {
        if (open !== undefined)
          this.report(open, 'unclosed "{": expected "}" before the end of input');
        return nodes;
      }
      if (c.at() === '}') {
        c.pos += 1;
        if (open !== undefined) return nodes;
        this.report(c.pos - 1, 'unexpected "}": no block is open here');
        continue;
      }
      try {
        const node = this.parseStatement(top);
        if (node) nodes.push(node);
        if (!c.atStatementEnd()) c.fail(`expected the end of the line, found ${c.describe()}`);
      } catch (err) {
        this.recover(err);
      }
    }
  }

  /** `{ statements }`; a body needs at least one node. */
  parseBlock(what: string): PlanNode[] {
    const c: Cursor = this.c;
    c.skipSpaces();
    if (c.at() !== '{') c.fail(`expected "{" to open ${what}, found ${c.describe()}`);
    const open = c.pos;
    c.pos += 1;
    const errorsBefore = this.errors.length;
    const nodes = this.parseBody(open, false);
    if (nodes.length === 0 && this.errors.length === errorsBefore)
      this.report(open, `empty body: ${what} must hold at least one node`);
    return nodes;
  }

  /**
   * A value in a JSON field or an expression field, or `undefined` when there is none
   * (the text starts with an option word or ends the statement). Forms: `${ raw }` kept
   * byte for byte, a JSON literal, or a bare CEL expression that becomes `"${expr}"`.
   */
  parseValue(
    ctx: ScanContext,
    jsonField: boolean,
    atNodeStart = false,
  ): { value: unknown } | undefined {
    const c: Cursor = this.c;
    c.skipSpaces();
    const start = c.pos;
    const text = c.text;
    if (text.startsWith('${', start)) {
      const end = findExpressionEnd(text, start + 2);
      if (end < 0) c.fail('unclosed "${": expected "}" to end the expression', start);
      c.pos = end + 1;
      return { value: text.slice(start, end + 1) };
    }
    const scan = scanExpression(text, start, ctx);
    if (!scan.ok) c.fail(scan.message, scan.offset);
    const src = text.slice(start, scan.end);
    if (src === '') return undefined;
    c.pos = scan.end;
    const literal = literalOf(src, jsonField);
    if (literal) {
      if (!allFinite(literal.value)) c.fail('number out of range in a JSON literal', start);
      return literal;
    }
    const gap = findMissingOperator(src);
    if (gap) {
      const firstWord = /^[A-Za-z_][A-Za-z0-9_]*$/.test(gap.before) && src.startsWith(gap.before);
      if (atNodeStart && firstWord && gap.offset === src.indexOf(gap.found, gap.before.length)) {
        c.fail(
          `unknown keyword "${gap.before}": expected a tool call name(arg: value), a kind (${kindWords().join(', ')}) or an expression`,
          start,
        );
      }
      const opts = [...ctx.stops].join(', ');
      c.fail(
        `expected an operator or the end of the expression after "${gap.before}", found "${gap.found}"${opts ? ` (options here: ${opts})` : ''}`,
        start + gap.offset,
      );
    }
    return { value: `\${${src}}` };
  }

  /** A required value; `what` names it in the error. */
  requireValue(ctx: ScanContext, jsonField: boolean, what: string, atNodeStart = false): unknown {
    const v = this.parseValue(ctx, jsonField, atNodeStart);
    if (!v) this.c.fail(`expected ${what}, found ${this.c.describe()}`);
    return v.value;
  }

  /** `name(arg: value, ...)`, `"any name"(...)`, optionally after `call`; no parens: no args. */
  parseCallTarget(): CallTargetT {
    const c: Cursor = this.c;
    c.skipSpaces();
    if (c.peekWord() === 'call' && (c.at(4) === ' ' || c.at(4) === '\t')) {
      c.pos += 4;
      c.skipSpaces();
    }
    const name = c.at() === '"' ? c.readString() : c.readName();
    if (name === undefined) c.fail(`expected a tool name, found ${c.describe()}`);
    c.skipSpaces();
    if (c.at() !== '(') return { call: name };
    return { call: name, args: this.parseArgs() };
  }

  /** `( name: value, "any key": value )`, newlines allowed between arguments. */
  parseArgs(): Record<string, unknown> {
    const c: Cursor = this.c;
    const open = c.pos;
    c.pos += 1;
    const entries: Array<[string, unknown]> = [];
    const seen = new Set<string>();
    c.skipSpacesAndNewlines();
    if (c.at() === ')') {
      c.pos += 1;
      return {};
    }
    for (;;) {
      c.skipSpacesAndNewlines();
      const keyAt = c.pos;
      const key = c.at() === '"' ? c.readString() : c.readWord();
      if (key === undefined) {
        c.fail(`expected an argument "name: value" or ")", found ${c.describe()}`);
      }
      c.skipSpaces();
      if (c.at() !== ':') {
        c.fail(
          `expected ":" after argument name "${key}", found ${c.describe()} (arguments are named, name: value; write "value EXPR" for an expression)`,
        );
      }
      c.pos += 1;
      if (seen.has(key)) c.fail(`duplicate argument "${key}"`, keyAt);
      seen.add(key);
      entries.push([key, this.requireValue(ARG_CONTEXT, true, `a value for argument "${key}"`)]);
      const valueEnd = c.pos;
      c.skipSpacesAndNewlines();
      const ch = c.at();
      if (ch === ',') {
        c.pos += 1;
        c.skipSpacesAndNewlines();
        if (c.at() !== ')') continue;
      }
      if (c.at() === ')') {
        c.pos += 1;
        return Object.fromEntries(entries);
      }
      const { line, column } = c.loc(open);
      if (c.text.slice(valueEnd, c.pos).includes('\n')) {
        c.pos = valueEnd;
        c.fail(
          `expected "," or ")" to close the "(" at line ${line} column ${column}, found end of line`,
        );
      }
      c.fail(`expected "," or ")" after argument "${key}", found ${c.describe()}`);
    }
  }

  /** At top level: a plan setting word not followed by `=`. */
  isPlanStatement(): boolean {
    const w = this.c.peekWord();
    if (w === undefined || !PLAN_WORDS.has(w)) return false;
    let p = this.c.pos + w.length;
    while (this.c.text[p] === ' ' || this.c.text[p] === '\t') p += 1;
    return !(this.c.text[p] === '=' && this.c.text[p + 1] !== '=');
  }

  optionalBool(): boolean {
    const c: Cursor = this.c;
    c.skipSpaces();
    const w = c.peekWord();
    if (w === 'true' || w === 'false') {
      c.pos += w.length;
      return w === 'true';
    }
    return true;
  }

  requireAll(
    node: Record<string, unknown>,
    at: number,
    label: string,
    example: string,
    parts: Array<[string, string]>,
  ): void {
    const missing = parts.filter(([key]) => !(key in node)).map(([, words]) => words);
    if (missing.length > 0)
      this.report(at, `${label} needs ${missing.join(' and ')}, e.g. ${example}`);
  }

  /** `word { ... }` after blank lines, if that is what follows; else nothing is read. */
  optionalBlock(word: string, what: string): PlanNode[] | undefined {
    const c: Cursor = this.c;
    const save = c.pos;
    c.skipBlank();
    const p = c.pos + word.length;
    if (c.peekWord() === word && /^[ \t]*\{/.test(c.text.slice(p, p + 40))) {
      c.pos = p;
      return this.parseBlock(what);
    }
    c.pos = save;
    return undefined;
  }

  /** `{ clause... }`, each clause starting with one of `words`. */
  clauses(
    what: string,
    words: readonly string[],
    clause: (word: string) => void,
    kind: string,
  ): number {
    const c: Cursor = this.c;
    c.skipSpaces();
    if (c.at() !== '{') c.fail(`expected "{" to open ${what}, found ${c.describe()}`);
    const open = c.pos;
    c.pos += 1;
    for (;;) {
      c.skipBlank();
      if (c.atEnd()) {
        this.report(open, `unclosed "{": expected "}" to end the ${kind}`);
        break;
      }
      if (c.at() === '}') {
        c.pos += 1;
        break;
      }
      try {
        const w = c.peekWord();
        if (w !== undefined && words.includes(w)) {
          c.pos += w.length;
          clause(w);
        } else {
          const forms = words.map((x, i) => (i === 0 ? `"${x} COND {...}"` : `"${x} {...}"`));
          c.fail(`expected ${forms.join(' or ')} in a ${kind}, found ${c.describe()}`);
        }
      } catch (err) {
        this.recover(err);
      }
    }
    return open;
  }

  classify(): ReturnType<typeof classifyStart> {
    return classifyStart(this.c.text, this.c.pos);
  }
}
