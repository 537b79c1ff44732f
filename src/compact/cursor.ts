/**
 * The character-level half of the compact plan tokenizer: a cursor over the text with
 * line/column mapping and the small tokens of the grammar (words, names, numbers, JSON
 * strings, JSON objects). Expressions are not tokenized here: CEL is not our grammar, so
 * `scan-expression.ts` only finds where one ends.
 */

/** A syntax error as data: 1-based line and column, and what was expected/found. */
export interface CompactError {
  line: number;
  column: number;
  message: string;
}

/** Thrown inside the parser only, caught at statement level to recover; never escapes. */
export class ParseFail {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
/** Tool names: identifiers joined by `.` or `-` (`github.create_issue`, `get-weather`). */
const NAME = /[A-Za-z_][A-Za-z0-9_]*(?:[.-][A-Za-z0-9_]+)*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const JSON_STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** `-0` survives JSON.parse but not JSON.stringify: read it as 0, as a JSON plan would. */
export function noNegativeZero(_key: string, value: unknown): unknown {
  return Object.is(value, -0) ? 0 : value;
}

/** JSON.parse reads `1e999` as Infinity, which no JSON plan can hold. */
export function allFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allFinite);
  if (value !== null && typeof value === 'object') return Object.values(value).every(allFinite);
  return true;
}

export function isIdentChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_]/.test(ch);
}

export class Cursor {
  pos = 0;
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i += 1) if (text[i] === '\n') this.lineStarts.push(i + 1);
  }

  loc(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }

  at(k = 0): string | undefined {
    return this.text[this.pos + k];
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  fail(message: string, offset = this.pos): never {
    throw new ParseFail(offset, message);
  }

  /** Spaces and tabs (and a `\r` before a newline), never the newline itself. */
  skipSpaces(): void {
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos];
      if (ch === ' ' || ch === '\t' || ch === '\r') this.pos += 1;
      else break;
    }
  }

  /** Spaces, then a `#` comment up to (not including) the end of the line. */
  skipSpacesAndComment(): void {
    this.skipSpaces();
    if (this.at() === '#') {
      const nl = this.text.indexOf('\n', this.pos);
      this.pos = nl < 0 ? this.text.length : nl;
    }
  }

  /** Everything that separates statements: spaces, comments, newlines and `;`. */
  skipBlank(): boolean {
    const start = this.pos;
    for (;;) {
      this.skipSpacesAndComment();
      const ch = this.at();
      if (ch === '\n' || ch === ';') this.pos += 1;
      else break;
    }
    return this.text.slice(start, this.pos).includes('\n');
  }

  /** Spaces, comments and newlines, not `;` (inside argument lists and `after` lists). */
  skipSpacesAndNewlines(): void {
    for (;;) {
      this.skipSpacesAndComment();
      if (this.at() === '\n') this.pos += 1;
      else break;
    }
  }

  /** At the end of a statement: newline, `;`, comment, `}` or end of input (spaces skipped). */
  atStatementEnd(): boolean {
    this.skipSpaces();
    const ch = this.at();
    return ch === undefined || ch === '\n' || ch === ';' || ch === '#' || ch === '}';
  }

  private match(re: RegExp): string | undefined {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    return m ? m[0] : undefined;
  }

  /** The identifier at the cursor (whole word), without consuming it. */
  peekWord(): string | undefined {
    return this.match(WORD);
  }

  readWord(): string | undefined {
    const w = this.match(WORD);
    if (w !== undefined) this.pos += w.length;
    return w;
  }

  readName(): string | undefined {
    const n = this.match(NAME);
    if (n !== undefined) this.pos += n.length;
    return n;
  }

  peekName(): string | undefined {
    return this.match(NAME);
  }

  readNumber(what: string): number {
    const n = this.match(NUMBER);
    if (n === undefined || isIdentChar(this.text[this.pos + n.length])) {
      this.fail(`expected ${what} (a number), found ${this.describe()}`);
    }
    const value = Number(n) + 0;
    if (!Number.isFinite(value)) this.fail(`number out of range: ${n}`);
    this.pos += n.length;
    return value;
  }

  /** A JSON double-quoted string, or undefined when the cursor is not at one. */
  readString(): string | undefined {
    if (this.at() !== '"') return undefined;
    const s = this.match(JSON_STRING);
    if (s === undefined) this.fail('unterminated or invalid string: expected a JSON string "..."');
    this.pos += s.length;
    return JSON.parse(s) as string;
  }

  /** A JSON object `{...}` (balanced, may span lines). */
  readJsonObject(what: string): Record<string, unknown> {
    const start = this.pos;
    if (this.at() !== '{')
      this.fail(`expected ${what} (a JSON object {...}), found ${this.describe()}`);
    let depth = 0;
    let i = start;
    while (i < this.text.length) {
      const ch = this.text[i]!;
      if (ch === '"') {
        JSON_STRING.lastIndex = i;
        const m = JSON_STRING.exec(this.text);
        if (!m) this.fail('unterminated or invalid string inside a JSON object', i);
        i += m[0].length;
        continue;
      }
      if (ch === '{' || ch === '[') depth += 1;
      else if (ch === '}' || ch === ']') {
        depth -= 1;
        if (depth === 0) break;
      }
      i += 1;
    }
    if (depth !== 0) this.fail(`unclosed "{": expected "}" to end ${what}`, start);
    const raw = this.text.slice(start, i + 1);
    try {
      const value = JSON.parse(raw, noNegativeZero) as unknown;
      if (!allFinite(value)) this.fail(`number out of range in ${what}`, start);
      this.pos = i + 1;
      return value as Record<string, unknown>;
    } catch (err) {
      if (err instanceof ParseFail) throw err;
      return this.fail(`invalid JSON in ${what}: ${(err as Error).message}`, start);
    }
  }

  /** How the text at `offset` reads in an error message: the token found there. */
  describe(offset = this.pos): string {
    const ch = this.text[offset];
    if (ch === undefined) return 'end of input';
    if (ch === '\n' || (ch === '\r' && this.text[offset + 1] === '\n')) return 'end of line';
    WORD.lastIndex = offset;
    const w = WORD.exec(this.text);
    if (w) return `"${w[0]}"`;
    NUMBER.lastIndex = offset;
    const n = NUMBER.exec(this.text);
    if (n) return `"${n[0]}"`;
    if (ch === '"') {
      const s = this.text.slice(offset, offset + 20).split('\n')[0]!;
      return `string ${s}${s.length === 20 ? '...' : ''}`;
    }
    return `"${ch}"`;
  }
}
