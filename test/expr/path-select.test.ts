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

const key = fc.constantFrom('a', 'b', 'constructor', '__proto__', 'v');
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
        fc.dictionary(fc.constantFrom('x', 'y'), json, { maxKeys: 2 }),
        fc.constantFrom('x', 'y'),
        fc.array(fc.constantFrom('a', 'b', 'v'), { maxLength: 3 }),
        (scope, root, fields) => {
          const source = [root, ...fields].join('.');
          const got = selectPath(scope, pathOf(compileExpression(source).ast)!);
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

  it('leaves a missing key to CEL, which words the error', () => {
    expect(() => compileExpression('n1.nope').run({ n1: { v: 1 } })).toThrow(/nope/);
    expect(() => compileExpression('n9.v').run({})).toThrow(/n9/);
  });
});
