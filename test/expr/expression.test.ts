import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../../src/errors/runtime-errors.ts';
import { runtimeEnvironment } from '../../src/expr/cel-environment.ts';
import {
  clearExpressionCache,
  collectRefs,
  compileExpression,
  firstLine,
} from '../../src/expr/expression.ts';

const refs = (source: string) => [...compileExpression(source).refs].sort();

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('compileExpression: refs', () => {
  it.each([
    ['x', ['x']],
    ['1 + 2', []],
    ["'text'", []],
    ['user.name', ['user']],
    ['a.b.c + d[0].e', ['a', 'd']],
    ["x['k']", ['x']],
    ['a ? b : c', ['a', 'b', 'c']],
    ['size(xs) > n', ['n', 'xs']],
    ['has(x.a)', ['x']],
    ['has(x.a.b) && y', ['x', 'y']],
    ["{'k': v, 'l': [w]}", ['v', 'w']],
    ['xs.map(v, v.a)', ['xs']],
    ['xs.map(v, v.a + y)', ['xs', 'y']],
    ['xs.map(v, v > 1, v * 2)', ['xs']],
    ['xs.filter(v, v > y)', ['xs', 'y']],
    ['xs.all(v, v > 0)', ['xs']],
    ['xs.exists(v, v == z)', ['xs', 'z']],
    ['xs.exists_one(v, v == 1)', ['xs']],
    ['cel.bind(t, a, t + b)', ['a', 'b']],
    ['cel.bind(a, 1, cel.bind(b, a + 1, a + b + c))', ['c']],
    ['xs.map(x, xs.map(y, x + y + z))', ['xs', 'z']],
    // The binding ends with its macro: a later `x` is the outer name.
    ['xs.map(x, x).map(y, y + x)', ['x', 'xs']],
    // A bind's init is outside the binding: `t` there is a real reference.
    ['cel.bind(t, t + 1, t)', ['t']],
    ['sum(orders.map(o, o.total)) > limit', ['limit', 'orders']],
    ['input.user_id', ['input']],
    ['xs.map(item, item.id).filter(id, id != skip)', ['skip', 'xs']],
  ])('%s reads %o', (source, expected) => {
    expect(refs(source)).toEqual(expected);
  });

  it('collectRefs works on a raw AST too', () => {
    const ast = runtimeEnvironment().parse('a.map(q, q + b)').ast;
    expect([...collectRefs(ast as never)].sort()).toEqual(['a', 'b']);
  });

  it('refs are exactly the names needed: evaluating with only them in scope succeeds', () => {
    const sources = [
      'xs.map(v, v.a + y)',
      'cel.bind(t, a, t + b)',
      "has(x.a) ? x.a : {'d': d}",
      'ns.filter(v, v > y).map(w, w * k)',
    ];
    const world: Record<string, unknown> = {
      xs: [{ a: 1 }, { a: 2 }],
      y: 1,
      a: 1,
      b: 2,
      x: {},
      d: 3,
      k: 10,
      ns: [1, 2, 3],
    };
    for (const source of sources) {
      const c = compileExpression(source);
      const scope = Object.fromEntries([...c.refs].map((r) => [r, world[r]]));
      expect(() => c.run(scope)).not.toThrow();
    }
  });
});

describe('compileExpression: errors', () => {
  it.each(['1 +', 'x..y', '(', ')', 'a b', '{', "'unterminated", 'x.', 'import("fs")'])(
    'bad syntax %s is an ExpressionError with code expression_syntax',
    (source) => {
      const err = thrown(() => compileExpression(source)) as ExpressionError;
      expect(err).toBeInstanceOf(ExpressionError);
      expect(err.name).toBe('ExpressionError');
      expect(err.code).toBe('expression_syntax');
      expect(err.blame).toBe('model');
      expect(err.message).toContain('cannot parse');
      expect(err.message).toContain(source);
      expect(err.details).toEqual({ expression: source });
      expect(err.cause).toBeInstanceOf(Error);
    },
  );

  it.each([
    ['x.missing', { x: {} }, /No such key: missing/],
    ["x['k']", { x: {} }, /No such key/],
    ['y', {}, /Unknown variable: y/],
    ['xs[5]', { xs: [1] }, /out of (bounds|range)|index/i],
    ['f(x)', { x: 1 }, /no matching overload/],
    ["'a' + 1", {}, /no (matching|such) overload/],
    ['x.a', { x: 'str' }, /./],
    ['1 / 0', {}, /division by zero/],
  ])(
    'runtime failure %s is an ExpressionError with code expression_failed',
    (source, scope, re) => {
      const c = compileExpression(source);
      const err = thrown(() => c.run(scope)) as ExpressionError;
      expect(err).toBeInstanceOf(ExpressionError);
      expect(err.code).toBe('expression_failed');
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(re);
      expect(err.message).toContain(`\${${source}} failed`);
      expect(err.details).toEqual({ expression: source });
    },
  );

  it('only ever throws ExpressionError, at compile or at run, on random input (property)', () => {
    const token = fc.constantFrom(
      'x',
      'y',
      '.',
      'a',
      '(',
      ')',
      '[',
      ']',
      '{',
      '}',
      '1',
      '2.5',
      "'s'",
      '+',
      '-',
      '*',
      '/',
      '%',
      '==',
      '<',
      '?',
      ':',
      ',',
      'map',
      'v',
      'size',
      'has',
      '!',
      '&&',
      '||',
      ' ',
      'null',
      'true',
      'in',
      '"',
      'cel',
      'bind',
      'keys',
      'sum',
      'toJson',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 20 }), fc.jsonValue(), (tokens, x) => {
        const source = tokens.join('');
        try {
          const c = compileExpression(source);
          c.run({ x, y: { a: [1, 2] } });
        } catch (error) {
          expect(error).toBeInstanceOf(ExpressionError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('caches by source text', () => {
    const a = compileExpression('q + 1');
    expect(compileExpression('q + 1')).toBe(a);
    clearExpressionCache();
    const b = compileExpression('q + 1');
    expect(b).not.toBe(a);
    expect(b.run({ q: 1 })).toBe(2);
  });

  it('a compiled expression is reusable with different scopes', () => {
    const c = compileExpression('x * 2');
    expect(c.run({ x: 1 })).toBe(2);
    expect(c.run({ x: 2.5 })).toBe(5);
    expect(c.source).toBe('x * 2');
  });

  it('firstLine keeps only the first line of any thrown value', () => {
    expect(firstLine(new Error('a\nb'))).toBe('a');
    expect(firstLine('x\ny')).toBe('x');
    expect(firstLine(42)).toBe('42');
  });
});

describe('bounded cost', () => {
  it('rejects an expression with 5,000 AST nodes at parse time', () => {
    const source = Array.from({ length: 2500 }, () => 'x').join(' + ');
    const err = thrown(() => compileExpression(source)) as ExpressionError;
    expect(err).toBeInstanceOf(ExpressionError);
    expect(err.code).toBe('expression_syntax');
    expect(err.message).toMatch(/maxAstNodes/);
  });

  it.each([
    ['parentheses', `${'('.repeat(200)}x${')'.repeat(200)}`],
    ['lists', `${'['.repeat(200)}${']'.repeat(200)}`],
    ['maps', `${"{'a': ".repeat(200)}1${'}'.repeat(200)}`],
    ['calls', `${'size('.repeat(200)}[]${')'.repeat(200)}`],
    ['ternaries', `${'true ? 1 : '.repeat(500)}0`],
    ['field chains', `x${'.a'.repeat(3000)}`],
    ['negations', `${'-'.repeat(5000)}1`],
    ['nots', `${'!'.repeat(5000)}true`],
    ['100,000 parentheses', `${'('.repeat(100_000)}x${')'.repeat(100_000)}`],
  ])('rejects deep nesting of %s without a stack overflow', (_label, source) => {
    const err = thrown(() => compileExpression(source)) as ExpressionError;
    expect(err).toBeInstanceOf(ExpressionError);
    expect(err.code).toBe('expression_syntax');
    expect(err.message).toMatch(/Exceeded max(Depth|AstNodes)/);
  });

  it('accepts nesting within the limit', () => {
    expect(compileExpression(`${'('.repeat(30)}x${')'.repeat(30)}`).run({ x: 1 })).toBe(1);
  });

  it('rejects list literals with more than 1,000 elements', () => {
    const source = `[${Array.from({ length: 1500 }, () => '1').join(',')}]`;
    const err = thrown(() => compileExpression(source)) as ExpressionError;
    expect(err.code).toBe('expression_syntax');
    expect(err.message).toMatch(/maxListElements/);
  });
});

describe('bare paths read from their text', () => {
  it('give the refs, syntax tree and value the parser gives', () => {
    clearExpressionCache();
    for (const source of ['n1', 'n1.v', 'a.b.c', 'a.int', 'a.size', '_x.y']) {
      const c = compileExpression(source);
      expect(c.ast).toEqual(runtimeEnvironment().parse(source).ast);
      expect([...c.refs]).toEqual([...collectRefs(c.ast as never)]);
    }
    const scope = { a: { b: { c: 3 }, int: 4, size: 5 }, n1: { v: 2 } };
    expect(compileExpression('a.b.c').run(scope)).toBe(3);
    expect(compileExpression('a.int').run(scope)).toBe(4);
    expect(compileExpression('n1.v').run(scope)).toBe(2);
  });

  it('still refuse reserved words when compiled, and let CEL word a missing key', () => {
    clearExpressionCache();
    for (const source of ['__proto__', 'a.__proto__.b', 'in.x', 'x.prototype']) {
      let refused = false;
      try {
        compileExpression(source);
      } catch (error) {
        refused = error instanceof ExpressionError;
      }
      let parserRefuses = false;
      try {
        runtimeEnvironment().parse(source);
      } catch {
        parserRefuses = true;
      }
      expect(refused).toBe(parserRefuses);
    }
    const missing = thrown(() => compileExpression('n9.v').run({ n9: {} }));
    expect(missing).toBeInstanceOf(ExpressionError);
    expect((missing as Error).message).toContain('No such key: v');
  });

  it('keep declared names (types) to CEL', () => {
    clearExpressionCache();
    expect(compileExpression('int').run({ int: 7 })).not.toBe(7);
  });
});
