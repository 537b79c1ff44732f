import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromCel, runtimeEnvironment } from '../../src/expr/cel-environment.ts';
import { celSafe, compileExpression } from '../../src/expr/expression.ts';
import { MISS, pathOf, selectPath } from '../../src/expr/path-select.ts';

/** What CEL itself makes of `source` in `scope`: its JSON result, or that it threw. */
function viaCel(source: string, scope: Record<string, unknown>): unknown {
  const context: Record<string, unknown> = {};
  for (const k of Object.keys(scope)) context[k] = celSafe(scope[k]);
  try {
    return { ok: fromCel(runtimeEnvironment().parse(source)(context)) };
  } catch {
    return 'threw';
  }
}

const key = fc.constantFrom('a', 'b', 'constructor', '__proto__', 'v', 'prototype', 'toString');
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 3 }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 3 }),
  ),
})).value;

describe('selectPath', () => {
  it('reads only bare paths', () => {
    expect(pathOf(compileExpression('n1.v.w').ast)).toEqual(['n1', 'v', 'w']);
    expect(pathOf(compileExpression('x').ast)).toEqual(['x']);
    expect(pathOf(compileExpression('x["v"]').ast)).toBeUndefined();
    expect(pathOf(compileExpression('x.v + 1').ast)).toBeUndefined();
    expect(pathOf(compileExpression('f(x)').ast)).toBeUndefined();
  });

  it('gives what CEL gives, or leaves the expression to CEL', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('x', 'y', 'int', 'type', 'as', 'dyn'), json, { maxKeys: 3 }),
        fc.constantFrom('x', 'y', 'int', 'type', 'as', 'dyn'),
        fc.array(fc.constantFrom('a', 'b', 'v', 'prototype', 'toString'), { maxLength: 3 }),
        (scope, root, fields) => {
          const source = [root, ...fields].join('.');
          let ast: unknown;
          try {
            ast = compileExpression(source).ast;
          } catch {
            return; // a reserved word: no expression to evaluate either way
          }
          const path = pathOf(ast);
          const got = path ? selectPath(scope, path) : MISS;
          if (got !== MISS) expect({ ok: got }).toEqual(viaCel(source, scope));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('copies what it reads, so a tool that changes its arguments changes no result', () => {
    const out = { v: { list: [1, 2] } };
    const got = compileExpression('n1.v').run({ n1: out }) as { list: number[] };
    expect(got).toEqual({ list: [1, 2] });
    got.list.push(3);
    expect(out.v.list).toEqual([1, 2]);
  });

  it('leaves names CEL reads as types (int, string, type) to CEL', () => {
    expect(pathOf(compileExpression('int.v').ast)).toBeUndefined();
    expect(pathOf(compileExpression('type').ast)).toBeUndefined();
    expect(pathOf(compileExpression('n1.v').ast)).toEqual(['n1', 'v']);
    expect(() => compileExpression('int.v').run({ int: { v: 1 } })).toThrow(/v/);
    expect(compileExpression('dyn.v').run({ dyn: { v: 1 } })).toBe(1);
  });

  it('leaves a missing key to CEL, which words the error', () => {
    expect(() => compileExpression('n1.nope').run({ n1: { v: 1 } })).toThrow(/nope/);
    expect(() => compileExpression('n9.v').run({})).toThrow(/n9/);
  });
});
