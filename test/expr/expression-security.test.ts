// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plan strings hold ${ } expressions on purpose
import { afterEach, describe, expect, it } from 'vitest';
import { ExpressionError } from '../../src/errors/runtime-errors.ts';
import { compileValue, evaluateValue } from '../../src/expr/compiled-value.ts';
import { compileExpression } from '../../src/expr/expression.ts';

/**
 * The product evaluates LLM-written expressions over untrusted tool results. Every probe
 * here must either fail with an ExpressionError or yield plain data: never a host function,
 * the process, a prototype, or a changed Object.prototype.
 */

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function attempt(source: string, scope: Record<string, unknown>): Outcome {
  try {
    return { ok: true, value: compileExpression(source).run(scope) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** True when the value holds nothing from the host: no functions, no class instances. */
function isPlainData(value: unknown, seen = new Set<unknown>()): boolean {
  if (value === null) return true;
  const t = typeof value;
  if (t === 'string' || t === 'number' || t === 'boolean') return true;
  if (t !== 'object') return false;
  if (seen.has(value)) return false;
  seen.add(value);
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value)) return value.every((v) => isPlainData(v, seen));
  if (proto !== Object.prototype) return false;
  if (value === Object.prototype) return false;
  return Object.values(value as object).every((v) => isPlainData(v, seen));
}

function assertContained(source: string, scope: Record<string, unknown>): void {
  const out = attempt(source, scope);
  if (out.ok) {
    expect(isPlainData(out.value), `${source} returned host data`).toBe(true);
    expect(out.value).not.toBe(process);
    expect(out.value).not.toBe(globalThis);
  } else {
    expect(out.error, `${source} threw a non-ExpressionError`).toBeInstanceOf(ExpressionError);
  }
}

afterEach(() => {
  // A probe that polluted Object.prototype would show up in every later test.
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
});

const scope = () => ({
  x: { a: 1, list: [1, 2] },
  s: 'text',
  n: 5,
  xs: [{ a: 1 }],
  input: { user_id: '1' },
});

describe('CEL cannot reach prototypes', () => {
  it.each([
    'x.__proto__',
    'x.constructor',
    "x['constructor']",
    "x['__proto__']",
    'x.toString',
    'x.hasOwnProperty',
    'x.valueOf',
    'x.prototype',
    "x['prototype']",
    'x.list.constructor',
    'x.list.map',
    'x.list.push',
    "s['length']",
    's.constructor',
    'xs[0].constructor',
    'xs[0].__proto__',
    "dyn(x)['constructor']",
    "{'a': 1}.constructor",
    "{'a': 1}['__proto__']",
    '[].constructor',
    'n.constructor',
  ])('%s fails with ExpressionError', (source) => {
    const out = attempt(source, scope());
    expect(out.ok, `${source} succeeded`).toBe(false);
    if (!out.ok) expect(out.error).toBeInstanceOf(ExpressionError);
  });

  it('the classic constructor chain does not even parse', () => {
    const out = attempt('x.constructor.constructor("return process")()', scope());
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.error).toBeInstanceOf(ExpressionError);
      expect((out.error as ExpressionError).code).toBe('expression_syntax');
    }
  });

  it.each([
    'has(x.constructor)',
    'has(x.__proto__)',
    'has(x.toString)',
    "'constructor' in x",
    "'__proto__' in x",
    "'toString' in x",
  ])('%s sees no inherited member', (source) => {
    const out = attempt(source, scope());
    if (out.ok) expect(out.value).toBe(false);
    else expect(out.error).toBeInstanceOf(ExpressionError);
  });

  it('keys() of a map lists own data only', () => {
    expect(compileExpression('keys(x)').run(scope())).toEqual(['a', 'list']);
  });
});

describe('CEL cannot reach the process or the file system', () => {
  it.each([
    'process',
    'process.env',
    'globalThis',
    'global',
    'window',
    'this',
    'require',
    "require('fs')",
    "require('child_process')",
    "import('fs')",
    "readFile('/etc/passwd')",
    "fs.readFileSync('/etc/passwd')",
    "eval('1')",
    "Function('return process')()",
    'constructor',
    '__proto__',
    'Object',
    'JSON',
    'Buffer',
    "exec('ls')",
    'x.list.map(v, v).constructor',
  ])('%s fails with ExpressionError', (source) => {
    const out = attempt(source, scope());
    expect(out.ok, `${source} succeeded`).toBe(false);
    if (!out.ok) expect(out.error).toBeInstanceOf(ExpressionError);
  });

  it('host objects smuggled into the scope are refused, not exposed', () => {
    const hostile = {
      p: process,
      f: () => 1,
      g: globalThis,
      nested: { fn: () => 'secret' },
    };
    for (const source of ['p', 'f', 'g', 'nested.fn', 'p.env', 'nested']) {
      assertContained(source, hostile);
    }
  });

  it('a plain scope never leaks anything but data (probe list)', () => {
    const probes = [
      'x',
      'xs',
      'input',
      "{'a': x}",
      'x.list.map(v, v)',
      'cel.bind(c, x, c)',
      'toJson(x)',
      'keys(x)',
      'type(x)',
      "{'__proto__': {'polluted': true}}",
      "{'constructor': 1, 'prototype': 2, 'ok': 3}",
    ];
    for (const source of probes) assertContained(source, scope());
  });
});

describe('tool results carrying __proto__', () => {
  const hostileResult = () =>
    JSON.parse(
      '{"__proto__": {"polluted": "yes", "isAdmin": true}, "a": {"__proto__": {"polluted": "deep"}}, "list": [{"__proto__": {"polluted": 1}}]}',
    );

  it('do not pollute Object.prototype through compileValue/evaluateValue', () => {
    const compiled = compileValue({
      whole: '${r}',
      inner: '${r.a}',
      list: '${r.list}',
      text: 'r=${r}',
      picked: "${r['__proto__']}",
      built: "${ {'copy': r} }",
      mapped: '${r.list.map(v, v)}',
    });
    // biome-ignore lint/suspicious/noExplicitAny: probing the shape of an untrusted result
    const out = evaluateValue(compiled, { r: hostileResult() }) as Record<string, any>;
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { isAdmin?: unknown }).isAdmin).toBeUndefined();

    // The key stays plain data on a plain object, and nothing is inherited from it.
    expect(Object.keys(out.whole)).toEqual(['__proto__', 'a', 'list']);
    expect(Object.getPrototypeOf(out.whole)).toBe(Object.prototype);
    expect(out.whole.isAdmin).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(out.whole, '__proto__')?.value).toEqual({
      polluted: 'yes',
      isAdmin: true,
    });
    expect(Object.getPrototypeOf(out.inner)).toBe(Object.prototype);
    expect(out.inner.polluted).toBeUndefined();
    expect(Object.keys(out.inner)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(out.list[0])).toBe(Object.prototype);
    expect(out.list[0].polluted).toBeUndefined();
    expect(out.mapped[0].polluted).toBeUndefined();
    expect(out.built.copy.isAdmin).toBeUndefined();
    expect(out.picked).toEqual({ polluted: 'yes', isAdmin: true });
    // Written as text, the key is kept, so nothing silently disappears.
    expect(JSON.parse(out.text.slice(2))).toEqual(hostileResult());
    expect(out.text).toContain('"__proto__"');
  });

  it('a __proto__ key in the plan value itself stays data', () => {
    const planValue = JSON.parse('{"__proto__": {"x": "${n}"}, "__proto__x": 1}');
    const out = evaluateValue(compileValue(planValue), { n: 1 }) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__', '__proto__x']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { x?: unknown }).x).toBeUndefined();
  });

  it('toJson of a hostile result keeps the key as text', () => {
    const json = compileExpression('toJson(r)').run({ r: hostileResult() }) as string;
    expect(JSON.parse(json)).toEqual(hostileResult());
  });
});
