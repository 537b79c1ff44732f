import { skipCelStringLiteral } from './template.ts';

/**
 * Nesting measured before anything recursive walks it: cel-js's parser recurses per bracket
 * and per unary operator (a run of 50,000 `!` overflows the stack before its own depth limit
 * applies), and the plan's JSON values are compiled, validated and journaled recursively.
 */

/** How deep a plan's JSON value may nest (objects and arrays). */
export const MAX_VALUE_DEPTH = 64;

/**
 * Deepest nesting of an expression's source: brackets of any kind, or a run of prefix
 * operators (`!`, `-`), whichever is larger. Text inside string literals does not count.
 */
export function expressionNesting(source: string): number {
  let depth = 0;
  let max = 0;
  let unary = 0;
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '"' || ch === "'") {
      const end = skipCelStringLiteral(source, i);
      if (end < 0) break;
      i = end;
      unary = 0;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') {
      depth += 1;
      if (depth + unary > max) max = depth + unary;
    } else if (ch === ')' || ch === ']' || ch === '}') depth -= 1;
    if (ch === '!' || ch === '-') {
      unary += 1;
      if (depth + unary > max) max = depth + unary;
    } else if (ch !== ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r' && ch !== '(') unary = 0;
    i += 1;
  }
  return max;
}

/**
 * Depth of a JSON value (a scalar is 0, `[]` is 1), counted without recursion and only up
 * to `limit + 1`: enough to tell that it is too deep.
 */
export function valueNesting(value: unknown, limit = MAX_VALUE_DEPTH): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (depth > limit) return depth;
    const items = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const item of items)
      if (item !== null && typeof item === 'object') stack.push([item, depth]);
  }
  return max;
}
