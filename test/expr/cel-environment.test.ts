import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CEL_LIMITS,
  checkBaseEnvironment,
  fromCel,
  runtimeEnvironment,
} from '../../src/expr/cel-environment.ts';
import { compileExpression } from '../../src/expr/expression.ts';

const run = (source: string, scope: Record<string, unknown> = {}) =>
  compileExpression(source).run(scope);

/** Walks a value and fails on any BigInt, Map or class instance left inside. */
function assertPlainJson(value: unknown): void {
  if (value === null) return;
  expect(typeof value).not.toBe('bigint');
  if (Array.isArray(value)) {
    value.forEach(assertPlainJson);
    return;
  }
  if (typeof value === 'object') {
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    for (const v of Object.values(value as object)) assertPlainJson(v);
  }
}

describe('numbers mix as people expect', () => {
  it.each([
    ['x + 1', { x: 2 }, 3],
    ['1 + x', { x: 2 }, 3],
    ['price * 2', { price: 2.5 }, 5],
    ['2 * price', { price: 2.5 }, 5],
    ['count + 1.5', { count: 3 }, 4.5],
    ['x - 1', { x: 2.5 }, 1.5],
    ['10 - x', { x: 2.5 }, 7.5],
    ['x / 2', { x: 3 }, 1.5],
    ['7 / x', { x: 2 }, 3.5],
    ['x % 2', { x: 7 }, 1],
    ['7 % x', { x: 4 }, 3],
    ['1 + 2', {}, 3],
    ['2 * 3 + 0.5', {}, 6.5],
    ['price * qty', { price: 1.25, qty: 4 }, 5],
    ['-x + 1', { x: 3 }, -2],
  ])('%s with %o is %d, a JS number', (source, scope, expected) => {
    const v = run(source, scope);
    expect(typeof v).toBe('number');
    expect(v).toBe(expected);
  });

  it.each([
    ['x == 5', { x: 5 }, true],
    ['5 == x', { x: 5 }, true],
    ['x == 5', { x: 5.5 }, false],
    ['x != 5', { x: 5 }, false],
    ['5 != x', { x: 4 }, true],
    ['x < 5', { x: 4 }, true],
    ['5 < x', { x: 4 }, false],
    ['x <= 5', { x: 5 }, true],
    ['5 <= x', { x: 5 }, true],
    ['x > 5', { x: 5.5 }, true],
    ['5 > x', { x: 4 }, true],
    ['x >= 5', { x: 4.99 }, false],
    ['5 >= x', { x: 4 }, true],
    ['x * 2 == 5', { x: 2.5 }, true],
    ['stock.count > 0', { stock: { count: 3 } }, true],
    ['x in [1, 2]', { x: 1 }, true],
  ])('comparison %s with %o is %s', (source, scope, expected) => {
    expect(run(source, scope)).toBe(expected);
  });

  it('integer literals come out as numbers, never BigInt, also nested in lists and maps', () => {
    const v = run("{'a': 1, 'b': [2, 3, {'c': 4}], 'd': x + 1, 'e': size(xs)}", {
      x: 1,
      xs: [1, 2],
    });
    expect(v).toEqual({ a: 1, b: [2, 3, { c: 4 }], d: 2, e: 2 });
    assertPlainJson(v);
    expect(run('size(xs)', { xs: [1, 2, 3] })).toBe(3);
    expect(run('int(x)', { x: 2.7 })).toBe(2);
    expect(run('[1, 2.5, x]', { x: 3 })).toEqual([1, 2.5, 3]);
  });

  it('an integer overflow is an ExpressionError, not a wrong number', () => {
    expect(() => run('9223372036854775807 + 1')).toThrow(/overflow/);
  });

  it('integer division by zero fails; double division gives Infinity', () => {
    expect(() => run('1 / 0')).toThrow(/division by zero/);
    expect(run('1.0 / 0')).toBe(Number.POSITIVE_INFINITY);
  });

  it('random arithmetic on JSON numbers matches JS arithmetic (property)', () => {
    const num = fc.oneof(
      fc.integer({ min: -1e6, max: 1e6 }),
      fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
    );
    const lit = fc.integer({ min: -1000, max: 1000 });
    fc.assert(
      fc.property(num, lit, fc.constantFrom('+', '-', '*'), (x, n, op) => {
        const source = `x ${op} (${n})`;
        const expected = op === '+' ? x + n : op === '-' ? x - n : x * n;
        const v = run(source, { x });
        expect(typeof v).toBe('number');
        expect(v).toBeCloseTo(expected, 6);
        expect(run(`(${n}) < x`, { x })).toBe(n < x);
        expect(run(`x >= (${n})`, { x })).toBe(x >= n);
      }),
      { numRuns: 300 },
    );
  });
});

describe('functions', () => {
  it('sum, avg, max, min over lists of numbers', () => {
    expect(run('sum(xs)', { xs: [1, 2, 3.5] })).toBe(6.5);
    expect(run('sum([1, 2])')).toBe(3);
    expect(run('sum([])')).toBe(0);
    expect(run('avg(xs)', { xs: [1, 2] })).toBe(1.5);
    expect(run('avg([])')).toBe(null);
    expect(run('max(xs)', { xs: [1, 5, 3] })).toBe(5);
    expect(run('max([])')).toBe(null);
    expect(run('min([3, 1, 2])')).toBe(1);
    expect(run('min([])')).toBe(null);
    expect(run('sum(xs.map(o, o.price)) * 2', { xs: [{ price: 1 }, { price: 2.5 }] })).toBe(7);
  });

  it('max and min handle lists too long to spread as call arguments', () => {
    const xs = Array.from({ length: 500_000 }, (_, i) => (i * 7919) % 500_000);
    expect(run('max(xs)', { xs })).toBe(499_999);
    expect(run('min(xs)', { xs })).toBe(0);
    expect(run('max(xs)', { xs: [-1, -5] })).toBe(-1);
    expect(run('min(xs)', { xs: [2.5, 2.25] })).toBe(2.25);
  });

  it('round, floor, ceil, abs on doubles', () => {
    expect(run('round(x)', { x: 2.5 })).toBe(3);
    expect(run('round(x, 2)', { x: 2.345 })).toBe(2.35);
    expect(run('round(x, 0)', { x: 2.4 })).toBe(2);
    expect(run('floor(x)', { x: 2.9 })).toBe(2);
    expect(run('floor(x)', { x: -2.1 })).toBe(-3);
    expect(run('ceil(x)', { x: 2.1 })).toBe(3);
    expect(run('abs(x)', { x: -2.5 })).toBe(2.5);
    expect(run('abs(x - 10)', { x: 4 })).toBe(6);
  });

  it('round, floor, ceil, abs accept integers (literals, size())', () => {
    expect(run('abs(-3)')).toBe(3);
    expect(run('abs(3)')).toBe(3);
    expect(run('round(2)')).toBe(2);
    expect(run('floor(7)')).toBe(7);
    expect(run('ceil(7)')).toBe(7);
    expect(run('round(size(xs))', { xs: [1, 2] })).toBe(2);
    expect(run('round(1234, -2)')).toBe(1200);
    expect(run('abs(size(xs) - 5)', { xs: [1] })).toBe(4);
  });

  it('keys of a map, from JSON or from a CEL literal', () => {
    expect(run('keys(m)', { m: { a: 1, b: 2 } })).toEqual(['a', 'b']);
    expect(run("keys({'x': 1})")).toEqual(['x']);
    expect(run('keys(m)', { m: {} })).toEqual([]);
  });

  it('toJson writes JSON text with ints as plain numbers', () => {
    expect(run("toJson({'a': 1, 'b': [true, null]})")).toBe('{"a":1,"b":[true,null]}');
    expect(run('toJson(x)', { x: { a: [1, null], s: 'q"' } })).toBe('{"a":[1,null],"s":"q\\""}');
    expect(run('toJson(1)')).toBe('1');
    expect(run("toJson('x')")).toBe('"x"');
  });

  it('standard CEL macros and functions work', () => {
    expect(run('xs.map(v, v * 2)', { xs: [1, 2] })).toEqual([2, 4]);
    expect(run('xs.filter(v, v > 1)', { xs: [1, 2, 3] })).toEqual([2, 3]);
    expect(run('xs.exists(v, v == 2)', { xs: [1, 2] })).toBe(true);
    expect(run('xs.all(v, v > 0)', { xs: [1, 2] })).toBe(true);
    expect(run('has(x.a)', { x: { a: 1 } })).toBe(true);
    expect(run('has(x.a)', { x: {} })).toBe(false);
    expect(run("'a' + x", { x: 'b' })).toBe('ab');
    expect(run('x.size()', { x: [1] })).toBe(1);
    expect(run('a ? b : c', { a: false, b: 1, c: 2 })).toBe(2);
    expect(run('cel.bind(t, 2, t * t)')).toBe(4);
  });
});

describe('fromCel', () => {
  it('turns BigInt into numbers and Maps into plain objects, recursively', () => {
    const v = fromCel(
      new Map<unknown, unknown>([
        ['a', 1n],
        [2, [3n, new Map([['b', 4n]])]],
      ]),
    );
    expect(v).toEqual({ a: 1, 2: [3, { b: 4 }] });
    assertPlainJson(v);
  });

  it('writes dates as ISO text and bytes as base64', () => {
    expect(fromCel(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(fromCel(new Uint8Array([97, 98, 99]))).toBe('YWJj');
    expect(run("b'abc'")).toBe('YWJj');
    expect(run("timestamp('2020-01-01T00:00:00Z')")).toBe('2020-01-01T00:00:00.000Z');
  });

  it('turns cel-js value classes into numbers or text rather than {}', () => {
    expect(run('1u')).toBe(1);
    expect(run('uint(x)', { x: 3 })).toBe(3);
    expect(run("duration('90s')")).toBe('90s');
    expect(typeof run('type(1)')).toBe('string');
  });

  it('keeps a "__proto__" key as data, without changing the prototype', () => {
    const data = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const v = fromCel(data) as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect((v as { polluted?: unknown }).polluted).toBeUndefined();
    const m = fromCel(new Map([['__proto__', { polluted: true }]])) as Record<string, unknown>;
    expect(Object.keys(m)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('never hands back a host function left inside a value', () => {
    expect(fromCel(() => 1)).toBe(null);
    expect(fromCel({ a: 1, f: () => 'secret' })).toEqual({ a: 1, f: null });
    expect(run('x', { x: { fn: () => 'secret', n: 1 } })).toEqual({ fn: null, n: 1 });
  });

  it('passes primitives through', () => {
    for (const p of ['s', 1.5, true, null, undefined]) expect(fromCel(p)).toBe(p);
  });
});

describe('environments', () => {
  it('the runtime environment is built once and shared', () => {
    expect(runtimeEnvironment()).toBe(runtimeEnvironment());
  });

  it('the typed base environment checks names and mixed numbers', () => {
    const env = checkBaseEnvironment().clone();
    env.registerVariable('price', 'double');
    env.registerVariable('xs', 'list<dyn>');
    expect(env.check('price * 2').valid).toBe(true);
    expect(env.check('price * 2').type).toBe('double');
    expect(env.check('2 < price').valid).toBe(true);
    expect(env.check('price == 5').valid).toBe(true);
    expect(env.check('abs(-3)').valid).toBe(true);
    expect(env.check('round(size(xs))').valid).toBe(true);
    expect(env.check('sum(xs) + 1').valid).toBe(true);
    expect(env.check('nope + 1').valid).toBe(false);
    expect(checkBaseEnvironment()).toBe(checkBaseEnvironment());
  });

  it('limits are the ones documented for LLM-written expressions', () => {
    expect(CEL_LIMITS.maxAstNodes).toBeLessThan(5000);
    expect(CEL_LIMITS.maxDepth).toBeLessThanOrEqual(64);
  });
});
