// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plan strings hold ${ } expressions on purpose
import { afterEach, describe, expect, it } from 'vitest';
import { ExpressionError } from '../../src/errors/runtime-errors.ts';
import { compileValue, evaluateValue } from '../../src/expr/compiled-value.ts';
import { compileExpression } from '../../src/expr/expression.ts';
import {
  DEFAULT_EXPRESSION_BUDGET,
  setExpressionBudget,
  sizeOf,
} from '../../src/expr/expression-budget.ts';
import {
  CATASTROPHIC_REGEX,
  deepArray,
  deepNots,
  growingString,
  nestedAll,
  nestedMaps,
  scanInLoops,
  sharedBinds,
} from './support/hostile.ts';

/**
 * Every evaluation runs under a step, size and time budget (issue 10, items 1-4): a hostile
 * expression ends with ExpressionError code "budget", whatever it tries.
 */

function failure(f: () => unknown): ExpressionError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return error as ExpressionError;
  }
  throw new Error('expected an ExpressionError, got a value');
}

function run(source: string, scope: Record<string, unknown> = {}): unknown {
  return compileExpression(source).run(scope);
}

afterEach(() => {
  setExpressionBudget(DEFAULT_EXPRESSION_BUDGET);
});

describe('matches() runs on RE2, in linear time (item 1)', () => {
  it('the catastrophic pattern answers false instead of backtracking for ever', () => {
    expect(run(CATASTROPHIC_REGEX)).toBe(false);
    expect(run(`'${'a'.repeat(36)}'.matches('^(a+)+$')`)).toBe(true);
  });

  it('keeps the CEL meaning: an unanchored search, RE2 syntax', () => {
    expect(run("'hello world'.matches('o w')")).toBe(true);
    expect(run("'abc'.matches('^b')")).toBe(false);
    expect(run("s.matches('^[a-z]+@[a-z]+\\\\.com$')", { s: 'ann@example.com' })).toBe(true);
    expect(run("'x'.matches('(?i)X')")).toBe(true);
  });

  it('a backreference or lookahead is an ExpressionError, not a slow match', () => {
    const e = failure(() => run("'aa'.matches('(a)\\\\1')"));
    expect(e.message).toMatch(/RE2/);
    expect(failure(() => run("'ab'.matches('a(?=b)')")).message).toMatch(/RE2/);
  });

  it('a non-string receiver is an ExpressionError', () => {
    expect(failure(() => run('x.matches("a")', { x: 5 })).message).toMatch(/matches\(\)/);
  });
});

describe('the step budget (item 2)', () => {
  it('nine nested maps over ten items stop with code budget, limit steps', () => {
    setExpressionBudget({ timeMs: 600_000 }); // the steps, not a loaded machine's clock, stop it
    const e = failure(() => run(nestedMaps()));
    expect(e.code).toBe('budget');
    expect(e.details).toMatchObject({ limit: 'steps' });
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/steps/);
  });

  it('three nested maps within the budget give their result', () => {
    expect(run(nestedMaps(3))).toBe(10);
  });

  it('a quantifier that keeps going past a failed step still ends with the budget error', () => {
    const e = failure(() => run(nestedAll()));
    expect(e.code).toBe('budget');
  });

  it('the budget is per evaluation: the next evaluation starts afresh', () => {
    failure(() => run(nestedMaps()));
    expect(run('[1, 2, 3].map(x, x * 2)')).toEqual([2, 4, 6]);
  });

  it('a smaller budget stops a smaller expression', () => {
    setExpressionBudget({ steps: 100 });
    expect(
      failure(() => run('[0,1,2,3,4,5,6,7,8,9].map(a, [0,1,2,3,4,5,6,7,8,9].map(b, b))')).code,
    ).toBe('budget');
  });

  it('iterating over a large input is not refused', () => {
    setExpressionBudget({ timeMs: 600_000 });
    const xs = Array.from({ length: 100_000 }, (_, i) => i);
    expect(run('size(xs.map(x, x + 1))', { xs })).toBe(100_000);
  });
});

describe('the size budget (item 3)', () => {
  it('shared cel.bind lists that expand to 10^9 elements stop before they are written out', () => {
    setExpressionBudget({ timeMs: 600_000 });
    const e = failure(() => run(sharedBinds()));
    expect(e.code).toBe('budget');
    expect(e.details).toMatchObject({ limit: 'size' });
  });

  it('a string grown by concatenation stops', () => {
    setExpressionBudget({ timeMs: 600_000 });
    expect(failure(() => run(growingString())).details).toMatchObject({ limit: 'size' });
  });

  it('values built from a large input may be as large as the input', () => {
    setExpressionBudget({ timeMs: 600_000 });
    const xs = Array.from({ length: 600_000 }, (_, i) => i);
    expect(run('size(xs + xs)', { xs })).toBe(1_200_000);
  });

  it('sizeOf counts shared parts every time they appear, computed once each', () => {
    const leaf = [1, 2, 3];
    const shared = [leaf, leaf, leaf];
    expect(sizeOf(shared)).toBe(1 + 3 * 4);
    expect(sizeOf({ a: 'xyz' })).toBe(1 + 1 + 4);
  });
});

describe('the time budget and the caller’s limits', () => {
  it('few steps of costly scans stop on the clock', () => {
    const e = failure(() => run(scanInLoops()));
    expect(e.code).toBe('budget');
    expect(e.details).toMatchObject({ limit: 'time' });
  });

  it('a deadline already past stops the evaluation at its first costly step', () => {
    const c = compileExpression('[1, 2, 3].map(x, string(x))');
    expect(failure(() => c.run({}, { deadline: Date.now() - 1 })).code).toBe('budget');
  });

  it('an aborted signal stops it', () => {
    const c = compileExpression('1 + 1');
    expect(failure(() => c.run({}, { signal: AbortSignal.abort() })).code).toBe('budget');
  });

  it('the expressions of one value share one time budget', () => {
    setExpressionBudget({ timeMs: 50 });
    const value = compileValue(
      Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, `\${${scanInLoops()}}`])),
    );
    expect(failure(() => evaluateValue(value, {})).code).toBe('budget');
  });

  it('refuses a budget that is not a positive number', () => {
    expect(() => setExpressionBudget({ steps: 0 })).toThrow(TypeError);
    expect(() => setExpressionBudget({ timeMs: Number.NaN })).toThrow(/timeMs/);
  });
});

describe('depth is measured before anything recurses (item 4)', () => {
  it('a plan value nested 50,000 deep is an ExpressionError, not a RangeError', () => {
    const e = failure(() => compileValue(deepArray()));
    expect(e.code).toBe('budget');
    expect(e.message).toMatch(/64 levels/);
  });

  it('a value nested 64 deep still compiles', () => {
    expect(evaluateValue(compileValue(deepArray(64)), {})).toEqual(deepArray(64));
  });

  it('50,000 nested ! is a syntax error, not a stack overflow', () => {
    const e = failure(() => compileExpression(deepNots()));
    expect(e.code).toBe('expression_syntax');
    expect(e.message).toMatch(/maxDepth/);
  });

  it('a long chain at the top level is not mistaken for nesting', () => {
    expect(run(Array.from({ length: 100 }, () => '-1').join(' - '))).toBe(98);
    expect(run('!(!(true)) && 1 != 2')).toBe(true);
  });
});
