import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createToolNameMap, PROVIDER_TOOL_NAME } from '../../src/providers/tool-names.ts';

const anyName = fc.oneof(
  fc.string({ minLength: 0, maxLength: 90 }),
  fc.stringMatching(/^[a-z_.]{1,80}$/),
  fc.stringMatching(/^[a-zA-Z0-9_-]{1,70}$/),
  fc.constantFrom(
    'math_toolkit.sum_of_multiples',
    'math_toolkit_sum_of_multiples',
    'a.b',
    'a_b',
    'a b',
    '',
    'ünïcode.tool',
  ),
);

describe('createToolNameMap', () => {
  it('round-trips, never collides, and always yields valid OpenAI names', () => {
    fc.assert(
      fc.property(fc.uniqueArray(anyName, { maxLength: 30 }), (names) => {
        const map = createToolNameMap(names);
        const wire = names.map((name) => map.toProvider(name));
        for (const [i, name] of names.entries()) {
          expect(wire[i]).toMatch(PROVIDER_TOOL_NAME);
          expect(map.fromProvider(wire[i]!)).toBe(name);
        }
        expect(new Set(wire).size).toBe(names.length);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps valid names as they are and is independent of order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(anyName, { maxLength: 20 }), (names) => {
        const forward = createToolNameMap(names);
        const backward = createToolNameMap([...names].reverse());
        for (const name of names) {
          expect(backward.toProvider(name)).toBe(forward.toProvider(name));
          if (PROVIDER_TOOL_NAME.test(name)) expect(forward.toProvider(name)).toBe(name);
        }
      }),
    );
  });

  it('keeps dotted names readable and distinct from a registered look-alike', () => {
    const map = createToolNameMap([
      'math_toolkit.sum_of_multiples',
      'math_toolkit_sum_of_multiples',
    ]);
    const wire = map.toProvider('math_toolkit.sum_of_multiples');
    expect(wire).toMatch(/^math_toolkit_sum_of_multiples_[0-9a-f]{8}$/);
    expect(map.toProvider('math_toolkit_sum_of_multiples')).toBe('math_toolkit_sum_of_multiples');
  });

  it('passes unknown wire names through so a hallucinated tool is reported by name', () => {
    expect(createToolNameMap(['a.b']).fromProvider('no_such_tool')).toBe('no_such_tool');
  });
});
