import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/exec/events.ts';
import { decodeEvent, encodeEvent } from '../../src/exec/journal-codec.ts';

const succeeded = (output: unknown): RunEvent => ({
  type: 'node.succeeded',
  key: 'k',
  output,
  seq: 3,
  at: 7,
});

// Every value a run can hold: JSON plus the doubles JSON cannot write, bigints, bytes,
// and objects whose keys look like the codec's own tags.
const special = fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, -0);
const key = fc.oneof(fc.string(), fc.constantFrom('$t', 'v', '__proto__', 'constructor'));
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.double(),
    special,
    fc.bigInt(),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 8 }),
  ),
  node: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(key, tie('node'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).node;

describe('journal codec', () => {
  it('round-trips every value exactly (property)', () => {
    fc.assert(
      fc.property(value, (v) => {
        const back = decodeEvent(encodeEvent(succeeded(v)));
        // node:assert tells NaN from null, -0 from 0, and reads a `constructor` key as data.
        assert.deepStrictEqual(back, succeeded(v));
      }),
      { numRuns: 500 },
    );
  });

  it('writes one line, and plain JSON for plain values', () => {
    const line = encodeEvent(succeeded({ a: [1, 'x\n'] }));
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(succeeded({ a: [1, 'x\n'] }));
  });

  it('keeps Infinity, -Infinity, NaN and -0 instead of turning them into null and 0', () => {
    const out = { inf: 1 / 0, ninf: -1 / 0, nan: 0 / 0, nz: -0, list: [1 / 0] };
    const back = decodeEvent(encodeEvent(succeeded(out))) as { output: typeof out };
    expect(back.output.inf).toBe(Number.POSITIVE_INFINITY);
    expect(back.output.ninf).toBe(Number.NEGATIVE_INFINITY);
    expect(back.output.nan).toBeNaN();
    expect(Object.is(back.output.nz, -0)).toBe(true);
    expect(back.output.list).toEqual([Number.POSITIVE_INFINITY]);
  });

  it('a tool cannot forge a tag: its object with a $t key comes back as that object', () => {
    const forged = { $t: 'n', v: 'Infinity' };
    expect((decodeEvent(encodeEvent(succeeded(forged))) as { output: unknown }).output).toEqual(
      forged,
    );
  });

  it('a __proto__ key stays data and never sets a prototype', () => {
    const v = JSON.parse('{"__proto__": {"polluted": 1}, "x": {"$t": "n", "v": "NaN"}}');
    const back = decodeEvent(encodeEvent(succeeded(v))) as { output: Record<string, unknown> };
    expect(Object.getPrototypeOf(back.output)).toBe(Object.prototype);
    expect(Object.hasOwn(back.output, '__proto__')).toBe(true);
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
  });

  it('refuses a line that is not an event', () => {
    expect(() => decodeEvent('{"type":1}')).toThrow(SyntaxError);
    expect(() => decodeEvent('[1]')).toThrow(SyntaxError);
    expect(() => decodeEvent('{"type":"x","seq":0,"output":{"$t":"zz","v":1}}')).toThrow(/tag/);
  });
});
