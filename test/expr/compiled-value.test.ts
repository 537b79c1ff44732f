// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plan strings hold ${ } expressions on purpose
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../../src/errors/runtime-errors.ts';
import {
  type CompiledValue,
  compileValue,
  evaluateValue,
  refsOfValue,
  toText,
} from '../../src/expr/compiled-value.ts';

const evalOf = (value: unknown, scope: Record<string, unknown> = {}) =>
  evaluateValue(compileValue(value), scope);

describe('compileValue', () => {
  it('values with no ${ are consts, deep-equal to the input', () => {
    const input = { a: 1, b: 'text', c: [true, null, { d: 'x $ { }' }], e: '$${escaped}' };
    const c = compileValue(input);
    expect(c.kind).toBe('const');
    expect((c as { value: unknown }).value).toEqual({ ...input, e: '${escaped}' });
  });

  it('primitives and undefined become consts (undefined as null)', () => {
    expect(compileValue(5)).toEqual({ kind: 'const', value: 5 });
    expect(compileValue(null)).toEqual({ kind: 'const', value: null });
    expect(compileValue(undefined)).toEqual({ kind: 'const', value: null });
    expect(compileValue(false)).toEqual({ kind: 'const', value: false });
    expect(compileValue('plain')).toEqual({ kind: 'const', value: 'plain' });
    expect(compileValue([])).toEqual({ kind: 'const', value: [] });
    expect(compileValue({})).toEqual({ kind: 'const', value: {} });
  });

  it('walks objects and arrays, keeping const parts const', () => {
    const c = compileValue({ k: 1, e: '${x}', arr: [1, '${y}'], nested: { z: 'lit' } });
    expect(c.kind).toBe('object');
    const entries = (c as Extract<CompiledValue, { kind: 'object' }>).entries;
    const kinds = Object.fromEntries(entries.map(([k, v]) => [k, v.kind]));
    expect(kinds).toEqual({ k: 'const', e: 'expr', arr: 'array', nested: 'const' });
    const arr = entries.find(([k]) => k === 'arr')![1] as Extract<CompiledValue, { kind: 'array' }>;
    expect(arr.items.map((i) => i.kind)).toEqual(['const', 'expr']);
  });

  it('throws ExpressionError with the offset on a broken template', () => {
    try {
      compileValue({ a: ['ok', 'x ${ y'] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ExpressionError);
      expect((error as ExpressionError).code).toBe('expression_syntax');
      expect((error as ExpressionError).details).toEqual({ text: 'x ${ y', offset: 2 });
    }
  });

  it('throws ExpressionError on bad CEL inside a template', () => {
    expect(() => compileValue('total: ${1 +}')).toThrow(ExpressionError);
    try {
      compileValue('${)}');
    } catch (error) {
      expect((error as ExpressionError).code).toBe('expression_syntax');
    }
  });
});

describe('evaluateValue', () => {
  const scope = {
    user: { name: 'Ada', id: 7, tags: ['a'], verified: true },
    total: { total: 12.5, count: 3 },
    nothing: null,
  };

  it('a whole expression keeps its type', () => {
    expect(evalOf('${user.id}', scope)).toBe(7);
    expect(evalOf('${user}', scope)).toEqual(scope.user);
    expect(evalOf('${user.tags}', scope)).toEqual(['a']);
    expect(evalOf('${user.verified}', scope)).toBe(true);
    expect(evalOf('${nothing}', scope)).toBe(null);
    expect(evalOf('${ 1 + 2 }', scope)).toBe(3);
    expect(evalOf("${ {'n': user.name} }", scope)).toEqual({ n: 'Ada' });
  });

  it('templates write values as text: numbers, null, booleans, objects as JSON', () => {
    expect(evalOf('Ada spent ${total.total} in ${total.count} orders', scope)).toBe(
      'Ada spent 12.5 in 3 orders',
    );
    expect(evalOf('n=${nothing}', scope)).toBe('n=null');
    expect(evalOf('v=${user.verified}', scope)).toBe('v=true');
    expect(evalOf('u=${user.tags}', scope)).toBe('u=["a"]');
    expect(evalOf('o=${ {"a": 1} }', scope)).toBe('o={"a":1}');
    expect(evalOf('${user.name}${user.id}', scope)).toBe('Ada7');
    expect(evalOf('$${user.name} is ${user.name}', scope)).toBe('${user.name} is Ada');
  });

  it('walks objects and arrays and keeps const parts as they are', () => {
    const out = evalOf(
      {
        id: '${user.id}',
        label: 'user ${user.name}',
        fixed: [1, 'two'],
        deep: [{ x: '${total.count}' }],
      },
      scope,
    );
    expect(out).toEqual({ id: 7, label: 'user Ada', fixed: [1, 'two'], deep: [{ x: 3 }] });
  });

  it('evaluation failures surface as ExpressionError', () => {
    expect(() => evalOf({ a: '${user.missing}' }, scope)).toThrow(ExpressionError);
    expect(() => evalOf('x: ${nope}', scope)).toThrow(/Unknown variable: nope/);
  });

  it('the same compiled value evaluates against many scopes', () => {
    const c = compileValue({ double: '${n * 2}', text: 'n=${n}' });
    for (const n of [0, 1, 2.5, -3]) {
      expect(evaluateValue(c, { n })).toEqual({ double: n * 2, text: `n=${n}` });
    }
  });

  it('const values are returned without copying (the executor must not mutate them)', () => {
    const c = compileValue({ a: [1, 2] });
    expect(evaluateValue(c, {})).toBe(evaluateValue(c, {}));
  });

  it('values without ${ round-trip unchanged (property)', () => {
    const noMarker = fc.jsonValue().filter((v) => !JSON.stringify(v).includes('${'));
    fc.assert(
      fc.property(noMarker, (v) => {
        expect(evalOf(v)).toEqual(v);
      }),
      { numRuns: 300 },
    );
  });

  it('a whole-expression reference gives back exactly the scope value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const normalized = JSON.parse(JSON.stringify(v));
        expect(evalOf({ a: ['${v}'] }, { v: normalized })).toEqual({ a: [normalized] });
      }),
      { numRuns: 300 },
    );
  });
});

describe('toText', () => {
  it('writes strings as they are and the rest as JSON text', () => {
    expect(toText('s')).toBe('s');
    expect(toText(1.5)).toBe('1.5');
    expect(toText(0)).toBe('0');
    expect(toText(false)).toBe('false');
    expect(toText(null)).toBe('null');
    expect(toText(undefined)).toBe('null');
    expect(toText([1, 'a'])).toBe('[1,"a"]');
    expect(toText({ a: { b: null } })).toBe('{"a":{"b":null}}');
  });
});

describe('refsOfValue', () => {
  it('collects root names from every expression, deduplicated', () => {
    const c = compileValue({
      a: '${user.id}',
      b: ['x ${orders} y ${user.name}', { c: '${xs.map(v, v + k)}' }],
      d: 'literal ${"}"}',
      e: 5,
    });
    expect([...refsOfValue(c)].sort()).toEqual(['k', 'orders', 'user', 'xs']);
  });

  it('a const has no refs and an existing set is extended', () => {
    expect(refsOfValue(compileValue({ a: 1 })).size).toBe(0);
    const into = new Set(['z']);
    const out = refsOfValue(compileValue('${a}'), into);
    expect(out).toBe(into);
    expect([...out].sort()).toEqual(['a', 'z']);
  });

  it('keeps a "__proto__" key of evaluated args as data, without changing the prototype', () => {
    const value = compileValue(JSON.parse('{"__proto__": "${x}", "a": ["${x}", 2]}'));
    const out = evaluateValue(value, { x: { polluted: true } }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'a']);
    expect(out.a).toEqual([{ polluted: true }, 2]);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: true });
  });
});
