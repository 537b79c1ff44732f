/**
 * Hostile expressions: each would hang, exhaust memory or overflow the stack without the
 * expression budget. Shared by the tests (typed error, journaled, resumable) and by
 * bench/expr-hostile.bench.ts (how long each takes to end).
 */

const DIGITS = '[0,1,2,3,4,5,6,7,8,9]';

/** Issue 10 item 1: exponential backtracking on a JavaScript RegExp. */
export const CATASTROPHIC_REGEX = `'${'a'.repeat(36)}!'.matches('^(a+)+$')`;

/** Item 2: nine nested maps over ten-item lists, 10^9 steps. */
export function nestedMaps(levels = 9): string {
  let body = `x${levels}`;
  for (let i = levels; i >= 1; i--) body = `${DIGITS}.map(x${i}, ${body})`;
  return `size(${body})`;
}

/** Item 3: nested cel.bind lists sharing references, 10^9 elements once written out. */
export function sharedBinds(levels = 9): string {
  let out = `cel.bind(l0, ${DIGITS}, `;
  let close = ')';
  for (let i = 1; i < levels; i++) {
    out += `cel.bind(l${i}, [${Array(10)
      .fill(`l${i - 1}`)
      .join(',')}], `;
    close += ')';
  }
  return `${out}l${levels - 1}${close}`;
}

/** Item 4: an array literal nested 50,000 deep, as a plan value (JSON, not CEL). */
export function deepArray(depth = 50_000): unknown {
  return JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
}

/** A run of prefix operators: cel-js's parser recursed once per `!` past its depth limit. */
export function deepNots(depth = 50_000): string {
  return `${'!'.repeat(depth)}true`;
}

/** Nine nested `all()`: cel-js's quantifiers keep going past a failed step. */
export function nestedAll(levels = 9): string {
  let body = 'true';
  for (let i = levels; i >= 1; i--) body = `${DIGITS}.all(a${i}, ${body})`;
  return body;
}

/**
 * The worst found that the validator cannot see: few steps (1,000), each a linear scan of a
 * 100,000-item list built by doubling: 10^8 comparisons.
 */
export function scanInLoops(): string {
  const tenfold = (name: string) => Array(10).fill(name).join(' + ');
  const list = `cel.bind(a, ${DIGITS}, cel.bind(b, ${tenfold('a')}, cel.bind(c, ${tenfold('b')}, cel.bind(d, ${tenfold('c')}, cel.bind(e, ${tenfold('d')}, BODY)))))`;
  return list.replace('BODY', `${DIGITS}.map(i, ${DIGITS}.map(j, ${DIGITS}.map(k, -1 in e)))`);
}

/** Strings grown by concatenation past the size budget. */
export function growingString(): string {
  const tenfold = (name: string) => Array(10).fill(name).join(' + ');
  return `cel.bind(s, '${'x'.repeat(100)}', cel.bind(t, ${tenfold('s')}, cel.bind(u, ${tenfold('t')}, cel.bind(v, ${tenfold('u')}, cel.bind(w, ${tenfold('v')}, size(w))))))`;
}

export const HOSTILE: ReadonlyArray<readonly [string, string]> = [
  ['catastrophic regex (item 1)', CATASTROPHIC_REGEX],
  ['nine nested maps (item 2)', nestedMaps()],
  ['shared cel.bind lists (item 3)', sharedBinds()],
  ['nine nested all()', nestedAll()],
  ['1,000 scans of a 100,000-item list', scanInLoops()],
  ['string grown to 10^6 characters', growingString()],
  ['50,000 nested !', deepNots()],
];
