import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toJson } from '../../src/exec/invoke-tool.ts';

const viaText = (v: unknown) => {
  const text = JSON.stringify(v);
  return text === undefined ? null : JSON.parse(text);
};

describe('toJson (a tool output made JSON)', () => {
  it('is what a JSON round trip gives, for values with holes JSON fills', () => {
    const odd = fc.oneof(
      fc.constant(undefined),
      fc.constant(-0),
      fc.constant(Number.NaN),
      fc.constant(Number.POSITIVE_INFINITY),
      fc.constant(() => 1),
      fc.constant(new Date(0)),
      fc.constant({ toJSON: () => 'custom' }),
    );
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 2 }),
        odd,
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 3 }), tie('v'), { maxKeys: 3 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        expect(toJson(v, 't')).toEqual(viaText(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('copies: the tool keeps no handle on what the run journals', () => {
    const raw = { a: [{ b: 1 }] };
    const out = toJson(raw, 't') as typeof raw;
    raw.a[0]!.b = 2;
    expect(out.a[0]!.b).toBe(1);
  });

  it('keeps a "__proto__" key as data and refuses a cycle with a typed error', () => {
    const raw = JSON.parse('{"__proto__": {"x": 1}}');
    expect(Object.hasOwn(toJson(raw, 't') as object, '__proto__')).toBe(true);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => toJson(cyclic, 't')).toThrow(/not JSON/);
  });
});
