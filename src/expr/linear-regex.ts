import { RE2JS } from 're2js';

/**
 * CEL's `matches()` is RE2 by its spec; cel-js runs it on JavaScript's backtracking RegExp,
 * where `'aaaa…!'.matches('^(a+)+$')` takes exponential time. RE2JS matches in time linear
 * in the input, and refuses the constructs that need backtracking (backreferences,
 * lookaround) with a syntax error.
 */

const compiled = new Map<string, RE2JS>();
const CACHE_LIMIT = 500;

/** Compiles an RE2 pattern (cached); throws with RE2's message when it is not valid RE2. */
export function compileLinearRegex(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (re) return re;
  re = RE2JS.compile(pattern);
  if (compiled.size >= CACHE_LIMIT) compiled.delete(compiled.keys().next().value!);
  compiled.set(pattern, re);
  return re;
}

/** Whether `pattern` is valid RE2: the message of why not, or undefined. */
export function linearRegexProblem(pattern: string): string | undefined {
  try {
    compileLinearRegex(pattern);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** `text.matches(pattern)`: true when the pattern matches anywhere in the text. */
export function linearMatch(text: unknown, pattern: unknown): boolean {
  if (typeof text !== 'string' || typeof pattern !== 'string') {
    throw new TypeError(
      `matches() takes a string and a string pattern, got ${typeName(text)}.matches(${typeName(pattern)})`,
    );
  }
  let re: RE2JS;
  try {
    re = compileLinearRegex(pattern);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new SyntaxError(`invalid RE2 pattern ${JSON.stringify(pattern.slice(0, 100))}: ${why}`);
  }
  return re.matcher(text).find();
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v;
}
