/**
 * The vocabulary of the compact plan syntax, shared by the parser and the printer so that
 * what the printer writes is, by construction, what the parser reads back.
 */
import { findExpressionEnd } from '../expr/template.ts';
import type { AnyKindDef } from '../plan/kinds/kind.ts';
import { kindsVersion, nodeKinds } from '../plan/kinds/registry.ts';
import { noNegativeZero } from './cursor.ts';
import type { ScanContext } from './scan-expression.ts';

/** The kind keywords of the registered kinds (`value`, `map`, ...), in registry order. */
export function kindWords(): readonly string[] {
  refresh();
  return words;
}

/** The kind a keyword starts, if it is one. */
export function kindOfWord(word: string): AnyKindDef | undefined {
  refresh();
  return byWord.get(word);
}

let seen = -1;
let words: string[] = [];
let byWord = new Map<string, AnyKindDef>();
function refresh(): void {
  if (seen === kindsVersion()) return;
  seen = kindsVersion();
  byWord = new Map(nodeKinds().flatMap((k) => (k.compact.word ? [[k.compact.word, k]] : [])));
  words = [...byWord.keys()];
}

export const PLAN_WORDS: ReadonlySet<string> = new Set(['goal', 'output', 'final', 'limits']);

export const COMMON_OPTIONS = ['if', 'after', 'timeout', 'retry', 'desc'] as const;

const optionCache = new WeakMap<AnyKindDef, ReadonlySet<string>>();
export function optionsFor(kind: AnyKindDef): ReadonlySet<string> {
  let set = optionCache.get(kind);
  if (!set) {
    set = new Set([...kind.compact.options.map((o) => o.word), ...COMMON_OPTIONS]);
    optionCache.set(kind, set);
  }
  return set;
}

/** Where an expression in a node's head may end: at that kind's option words, or its `{`. */
export function headContext(kind: AnyKindDef): ScanContext {
  return { stops: optionsFor(kind), block: kind.compact.block };
}

/** Argument values, `output`, `when`: ended only by separators and brackets. */
export const ARG_CONTEXT: ScanContext = { stops: new Set(), block: false };
export const LINE_CONTEXT: ScanContext = ARG_CONTEXT;
export const WHEN_CONTEXT: ScanContext = { stops: new Set(), block: true };

/** Tool names written bare; others are written as JSON strings. */
export const BARE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:[.-][A-Za-z0-9_]+)*$/;
export const BARE_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
const JSON_STRING_AT = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WORD_AT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NAME_AT = /[A-Za-z_][A-Za-z0-9_]*(?:[.-][A-Za-z0-9_]+)*/y;

function matchAt(re: RegExp, text: string, pos: number): string | undefined {
  re.lastIndex = pos;
  return re.exec(text)?.[0];
}

function skipSpaces(text: string, pos: number, newlines: boolean): number {
  let p = pos;
  while (p < text.length) {
    const ch = text[p];
    if (ch === ' ' || ch === '\t' || ch === '\r' || (newlines && ch === '\n')) p += 1;
    else break;
  }
  return p;
}

/** After `(`: an empty list or `name:` means named arguments, so the `(` opens a call. */
function opensArguments(text: string, pos: number): boolean {
  const p = skipSpaces(text, pos, true);
  if (text[p] === ')') return true;
  const key = matchAt(WORD_AT, text, p) ?? matchAt(JSON_STRING_AT, text, p);
  return key !== undefined && text[skipSpaces(text, p + key.length, false)] === ':';
}

/**
 * What follows `id =`: a tool call (`call name...`, `name(`, `"name"(`), a kind keyword,
 * or else a bare value (`expr`). A kind keyword directly followed by named arguments is a
 * call to a tool of that name (`wait(seconds: 3)`).
 */
export function classifyStart(text: string, pos: number): string {
  const name = matchAt(NAME_AT, text, pos);
  if (name !== undefined) {
    const after = pos + name.length;
    if (name === 'call' && (text[after] === ' ' || text[after] === '\t')) return 'call';
    const p = skipSpaces(text, after, false);
    if (kindOfWord(name)) {
      return text[p] === '(' && opensArguments(text, p + 1) ? 'call' : name;
    }
    return text[p] === '(' ? 'call' : 'expr';
  }
  const quoted = matchAt(JSON_STRING_AT, text, pos);
  if (quoted !== undefined && text[skipSpaces(text, pos + quoted.length, false)] === '(') {
    return 'call';
  }
  return 'expr';
}

/** The expression of a string that is exactly `${ expr }`, else undefined. */
export function wholeExpression(s: string): string | undefined {
  if (!s.startsWith('${')) return undefined;
  return findExpressionEnd(s, 2) === s.length - 1 ? s.slice(2, -1) : undefined;
}

/**
 * How scanned source text reads as a value: in JSON fields (args, value, map, data, output,
 * fallback values) a whole JSON literal stays literal; in expression fields (if, when,
 * while, score, next, items) only a whole JSON string does. Anything else is an expression.
 */
export function literalOf(src: string, jsonField: boolean): { value: unknown } | undefined {
  const first = src[0];
  if (!jsonField && first !== '"') return undefined;
  if (first === undefined || !/["[{\-0-9tfn]/.test(first)) return undefined;
  try {
    const value = JSON.parse(src, noNegativeZero) as unknown;
    if (!jsonField && typeof value !== 'string') return undefined;
    return { value };
  } catch {
    return undefined;
  }
}
