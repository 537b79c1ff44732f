import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgsError } from '../../src/errors/runtime-errors.ts';
import { calculate } from '../../tools/calc/evaluate.ts';
import { createCalc } from '../../tools/index.ts';
import { byName, call, ctx } from './helpers.ts';

type Ast =
  | { type: 'num'; text: string }
  | { type: 'neg'; arg: Ast }
  | { type: 'bin'; op: '+' | '-' | '*' | '/' | '%' | '^'; left: Ast; right: Ast };

const numberText = fc.oneof(
  fc.nat(1000).map(String),
  fc.tuple(fc.nat(999), fc.nat(999)).map(([a, b]) => `${a}.${b}`),
);

const { ast } = fc.letrec<{ ast: Ast; num: Ast; neg: Ast; bin: Ast }>((tie) => ({
  ast: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('num'), tie('neg'), tie('bin')),
  num: fc.record({ type: fc.constant('num' as const), text: numberText }),
  neg: fc.record({ type: fc.constant('neg' as const), arg: tie('ast') }),
  bin: fc.record({
    type: fc.constant('bin' as const),
    op: fc.constantFrom('+', '-', '*', '/', '%', '^') as fc.Arbitrary<
      '+' | '-' | '*' | '/' | '%' | '^'
    >,
    left: tie('ast'),
    right: tie('ast'),
  }),
}));

/** Fully parenthesised, so the reference needs no precedence rules of its own. */
function render(node: Ast): string {
  if (node.type === 'num') return node.text;
  if (node.type === 'neg') return `(-${render(node.arg)})`;
  return `(${render(node.left)} ${node.op} ${render(node.right)})`;
}

const PREC = { '+': 1, '-': 1, '*': 2, '/': 2, '%': 2, neg: 3, '^': 4, num: 5 } as const;
const prec = (n: Ast): number => PREC[n.type === 'bin' ? n.op : n.type];

/**
 * With as few parentheses as the usual rules allow: tests precedence and associativity
 * (left for + - * / %, right for ^, and -2^2 meaning -(2^2)).
 */
function renderMinimal(node: Ast): string {
  const wrap = (child: Ast, needs: boolean) =>
    needs ? `(${renderMinimal(child)})` : renderMinimal(child);
  if (node.type === 'num') return node.text;
  if (node.type === 'neg') return `-${wrap(node.arg, prec(node.arg) < PREC.neg)}`;
  const p = PREC[node.op];
  if (node.op === '^') {
    return `${wrap(node.left, prec(node.left) <= p)} ^ ${wrap(node.right, prec(node.right) < PREC.neg)}`;
  }
  return `${wrap(node.left, prec(node.left) < p)} ${node.op} ${wrap(node.right, prec(node.right) <= p)}`;
}

const BAD = Symbol('error');

/** The reference: plain JS arithmetic on the tree; every step must stay a finite number. */
function reference(node: Ast): number | typeof BAD {
  if (node.type === 'num') return Number(node.text);
  if (node.type === 'neg') {
    const v = reference(node.arg);
    return v === BAD ? BAD : -v;
  }
  const a = reference(node.left);
  const b = reference(node.right);
  if (a === BAD || b === BAD) return BAD;
  if ((node.op === '/' || node.op === '%') && b === 0) return BAD;
  const ops = {
    '+': a + b,
    '-': a - b,
    '*': a * b,
    '/': a / b,
    '%': a % b,
    '^': a ** b,
  };
  const v = ops[node.op];
  return Number.isFinite(v) ? v : BAD;
}

function outcome(text: string): number | typeof BAD {
  try {
    return calculate(text);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgsError);
    return BAD;
  }
}

describe('calculate', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['-2^2', -4],
    ['(-2)^2', 4],
    ['2^3^2', 512],
    ['2 ** -1', 0.5],
    ['10 - 4 - 3', 3],
    ['100 / 10 / 5', 2],
    ['7 % 4', 3],
    ['-7 % 4', -3],
    ['3 - -2', 5],
    ['+-+1', -1],
    ['.5 + 1.25e1', 13],
    ['sqrt(16) + abs(-3)', 7],
    ['round(2.5) + round(-2.5)', 0],
    ['round(3.14159, 2)', 3.14],
    ['min(4, 2, 8) + max(1, 9)', 11],
    ['floor(2.7) + ceil(2.1)', 5],
    ['log(8, 2)', 3],
    ['2 * pi', 2 * Math.PI],
    ['e', Math.E],
    ['(2 + 3) * 4.5 - sqrt(16) / 2', 20.5],
    ['  42  ', 42],
    ['-0', 0],
  ])('%s = %d', (text, value) => {
    expect(calculate(text)).toBeCloseTo(value, 12);
  });

  it.each([
    ['', /empty/],
    ['1 +', /expected a number/],
    ['(1 + 2', /expected "\)"/],
    ['1 2', /expected an operator/],
    ['2pi', /expected an operator/],
    ['1 / 0', /division by zero/],
    ['5 % 0', /modulo by zero/],
    ['sqrt(-1)', /not a real number/],
    ['10 ^ 400', /overflows/],
    ['foo(1)', /unknown function "foo"/],
    ['x + 1', /unknown name "x"/],
    ['constructor', /unknown name/],
    ['toString(1)', /unknown function/],
    ['__proto__', /unknown name/],
    ['sqrt', /is a function/],
    ['max()', /takes 1 to 100/],
    ['1 $ 2', /unexpected character/],
    ['alert("x")', /unexpected character/],
    ['('.repeat(500) + '1' + ')'.repeat(500), /nested more than/],
    ['-'.repeat(500) + '1', /nested more than/],
    ['1+'.repeat(1500) + '1', /longer than/],
  ])('rejects %j cleanly', (text, message) => {
    expect(() => calculate(text)).toThrow(InvalidArgsError);
    expect(() => calculate(text)).toThrow(message);
  });

  it('equals a plain JS reference on random arithmetic trees', () => {
    fc.assert(
      fc.property(ast, (tree) => {
        const expected = reference(tree);
        const actual = outcome(render(tree));
        if (expected === BAD) expect(actual).toBe(BAD);
        else expect(actual).toBe(Object.is(expected, -0) ? 0 : expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('applies precedence and associativity like the reference', () => {
    fc.assert(
      fc.property(ast, (tree) => {
        const expected = reference(tree);
        const actual = outcome(renderMinimal(tree));
        if (expected === BAD) expect(actual).toBe(BAD);
        else expect(actual).toBe(Object.is(expected, -0) ? 0 : expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws anything but a clean InvalidArgs error on random text', () => {
    const calcChars = fc.constantFrom(...'0123456789.+-*/%^() ,eEpiqrtsabmxnlogcfd_'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: calcChars, maxLength: 60 })), (text) => {
        const v = outcome(text);
        if (v !== BAD) expect(Number.isFinite(v)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('through the tool: a bad expression is a not-retryable InvalidArgs, a good one a value', async () => {
    const { tools } = createCalc();
    expect(await call(tools, 'calculate', { expression: '6 * 7' })).toEqual({ value: 42 });
    const err = await byName(tools, 'calculate')
      .execute({ expression: '6 *' }, ctx())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'InvalidArgs', retryable: false, code: 'bad_expression' });
    expect(await call(tools, 'add', { a: 0.1, b: 0.2 })).toEqual({ value: 0.1 + 0.2 });
    expect(await call(tools, 'multiply', { a: 6, b: 7 })).toEqual({ value: 42 });
    await expect(
      Promise.resolve(byName(tools, 'multiply').execute({ a: 1e308, b: 10 }, ctx())),
    ).rejects.toThrow(/overflows/);
  });
});
