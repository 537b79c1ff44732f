/**
 * Finding where a CEL expression ends inside compact plan text. CEL is not re-parsed here
 * (the validator does that); the scanner balances brackets, skips CEL string literals with
 * the same function as `src/expr/template.ts`, and stops at what the compact grammar puts
 * after an expression: a separator, an option word, a fallback `|`, or a body's `{`.
 */
import { skipCelStringLiteral } from '../expr/template.ts';

export interface ScanContext {
  /** Words that end the expression when they start a word after whitespace (the options). */
  stops: ReadonlySet<string>;
  /** A `{` right after an operand ends the expression: it opens the node's body. */
  block: boolean;
}

export type ScanResult = { ok: true; end: number } | { ok: false; offset: number; message: string };

const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const STRING_PREFIXES = new Set([
  'r',
  'R',
  'b',
  'B',
  'rb',
  'rB',
  'Rb',
  'RB',
  'br',
  'bR',
  'Br',
  'BR',
]);

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_]/.test(ch);
}

function isWordStart(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z_]/.test(ch);
}

/** Whether the expression text before `i` ends with an operand (so a `{` cannot start a map). */
function endsWithOperand(text: string, start: number, i: number): boolean {
  let j = i - 1;
  while (j >= start && isSpace(text[j])) j -= 1;
  if (j < start) return false;
  const ch = text[j]!;
  if (isWordChar(ch)) {
    let k = j;
    while (k > start && isWordChar(text[k - 1])) k -= 1;
    return !(text.slice(k, j + 1) === 'in' && text[k - 1] !== '.');
  }
  return ch === ')' || ch === ']' || ch === '}' || ch === '"' || ch === "'";
}

/**
 * Scans an expression from `start` (not at a space). Returns the end of its text, trailing
 * spaces excluded; an empty expression (end === start) is for the caller to judge.
 */
export function scanExpression(text: string, start: number, ctx: ScanContext): ScanResult {
  const stack: Array<{ ch: string; offset: number }> = [];
  let i = start;
  let lastEnd = start;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'") {
      const end = skipCelStringLiteral(text, i);
      if (end < 0)
        return { ok: false, offset: i, message: `unterminated string: expected a closing ${ch}` };
      i = end;
      lastEnd = i;
      continue;
    }
    if (ch === '\n' && stack.length > 0 && NEXT_STATEMENT.test(text.slice(i + 1, i + 80))) {
      return unclosed(stack[0]!);
    }
    if (stack.length === 0) {
      if (ch === '\n' || ch === ';' || ch === '#' || ch === ',') break;
      if (ch === ')' || ch === ']' || ch === '}') break;
      if (ch === '|' && text[i + 1] !== '|' && text[i - 1] !== '|') break;
      if (ch === '{' && ctx.block && endsWithOperand(text, start, i)) break;
    }
    if (isWordStart(ch)) {
      let j = i + 1;
      while (isWordChar(text[j])) j += 1;
      const word = text.slice(i, j);
      const after = text[j];
      const wordStart = i === start || isSpace(text[i - 1]);
      const stopFollows = after === undefined || isSpace(after) || after === '#' || after === ';';
      if (
        stack.length === 0 &&
        wordStart &&
        ctx.stops.has(word) &&
        (stopFollows || after === '{')
      ) {
        break;
      }
      i = j;
      lastEnd = i;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') stack.push({ ch, offset: i });
    else if (ch === ')' || ch === ']' || ch === '}') {
      const open = stack.pop()!;
      if (CLOSER[open.ch] !== ch) {
        return {
          ok: false,
          offset: i,
          message: `expected "${CLOSER[open.ch]}" to close "${open.ch}", found "${ch}"`,
        };
      }
    }
    i += 1;
    if (!isSpace(ch)) lastEnd = i;
  }
  return stack[0] ? unclosed(stack[0]) : { ok: true, end: lastEnd };
}

/** A line that starts a node (`id =`): a bracket still open before it was never closed. */
const NEXT_STATEMENT = /^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*=(?!=)/;

function unclosed(open: { ch: string; offset: number }): ScanResult {
  return {
    ok: false,
    offset: open.offset,
    message: `unclosed "${open.ch}": expected "${CLOSER[open.ch]}"`,
  };
}

const NUMBER =
  /(?:0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)[uU]?/y;

/**
 * Catches the commonest slip the scanner cannot see: two operands with no operator between
 * them (`a b`, `lop max 3`), which in the compact syntax is nearly always a misspelled
 * keyword or option. Offsets are relative to `text`.
 */
export function findMissingOperator(
  text: string,
): { offset: number; before: string; found: string } | undefined {
  let prev: string | undefined;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (isSpace(ch)) {
      i += 1;
      continue;
    }
    const tokStart = i;
    let operand = false;
    if (ch === '"' || ch === "'") {
      const end = skipCelStringLiteral(text, i);
      i = end < 0 ? text.length : end;
      operand = true;
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? '') && !prev)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      i += m ? m[0].length : 1;
      operand = true;
    } else if (isWordStart(ch)) {
      let j = i + 1;
      while (isWordChar(text[j])) j += 1;
      const word = text.slice(i, j);
      i = j;
      if (STRING_PREFIXES.has(word) && (text[j] === '"' || text[j] === "'")) {
        const end = skipCelStringLiteral(text, j);
        i = end < 0 ? text.length : end;
      }
      operand = word !== 'in';
    } else {
      i += 1;
      operand = ch === ')' || ch === ']' || ch === '}';
      if (operand) {
        prev = ch;
        continue;
      }
    }
    const tok = text.slice(tokStart, i);
    if (operand && prev !== undefined && !(ch === ')' || ch === ']' || ch === '}')) {
      return { offset: tokStart, before: prev, found: tok };
    }
    prev = operand ? tok : undefined;
  }
  return undefined;
}
