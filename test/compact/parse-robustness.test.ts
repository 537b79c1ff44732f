import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CompactParseResult,
  parseCompactPlan,
  printCompactPlan,
} from '../../src/compact/index.ts';
import { planArbitrary } from './fixtures/plan-arbitrary.ts';

const FRAGMENTS = [
  'a',
  'b = ',
  '=',
  'f(',
  ')',
  '(',
  '{',
  '}',
  '[',
  ']',
  ' ',
  '\n',
  '"',
  "'",
  'x: ',
  ',',
  '${',
  '$${',
  'if ',
  'loop ',
  'max ',
  '3',
  '|',
  '#',
  ';',
  'when ',
  'else ',
  'call ',
  'value ',
  'map ',
  'as ',
  'race ',
  'first ',
  'best ',
  'score ',
  'switch ',
  'try ',
  'catch ',
  'finally ',
  'wait ',
  'emit ',
  'fail ',
  'error ',
  'paginate ',
  'next ',
  'items ',
  'retry ',
  '{"attempts": 2}',
  'after ',
  'desc ',
  'fallback ',
  'compensate ',
  'approval ',
  'output ',
  'final',
  'goal ',
  'limits ',
  '"""',
  'r"',
  '\\',
  'user.id',
  '-',
  '.',
  '```',
];

/** Parsing returned data of the documented shape: a plan, or errors at real positions. */
function checkShape(text: string, result: CompactParseResult): void {
  if (result.ok) {
    expect(result.plan.version).toBe(1);
    expect(Array.isArray(result.plan.nodes)).toBe(true);
    return;
  }
  expect(result.errors.length).toBeGreaterThan(0);
  const lines = text.split('\n');
  for (const e of result.errors) {
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.line).toBeLessThanOrEqual(lines.length);
    expect(e.column).toBeGreaterThanOrEqual(1);
    expect(e.column).toBeLessThanOrEqual(lines[e.line - 1]!.length + 1);
    expect(e.message.length).toBeGreaterThan(0);
    expect(e.message).not.toMatch(/internal error/);
  }
}

/** Whatever parses is printable, and its print parses back to the same plan. */
function checkReprint(result: CompactParseResult): void {
  if (!result.ok) return;
  const again = parseCompactPlan(printCompactPlan(result.plan));
  expect(again).toEqual(result);
}

type Mutation =
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'duplicate'; at: number; len: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 6 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.constantFrom(...FRAGMENTS),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 20 }),
  }),
);

function mutate(text: string, m: Mutation): string {
  const at = text.length === 0 ? 0 : m.at % text.length;
  if (m.kind === 'delete') return text.slice(0, at) + text.slice(at + m.len);
  if (m.kind === 'insert') return text.slice(0, at) + m.text + text.slice(at);
  return text.slice(0, at + m.len) + text.slice(at, at + m.len) + text.slice(at + m.len);
}

describe('parseCompactPlan never throws', () => {
  it('on random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        checkShape(text, parseCompactPlan(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('on random sequences of grammar fragments, and what parses reprints identically', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const result = parseCompactPlan(text);
        checkShape(text, result);
        checkReprint(result);
      }),
      { numRuns: 2000 },
    );
  });

  it('on mutated valid texts, and what parses reprints identically', () => {
    fc.assert(
      fc.property(planArbitrary, fc.array(mutation, { minLength: 1, maxLength: 4 }), (plan, ms) => {
        const text = ms.reduce(mutate, printCompactPlan(plan));
        const result = parseCompactPlan(text);
        checkShape(text, result);
        checkReprint(result);
      }),
      { numRuns: 800 },
    );
  });

  it('rejects numbers JSON cannot hold instead of turning them into Infinity', () => {
    const result = parseCompactPlan('a = f(x: 1e999)\nb = wait 1e999');
    expect(result).toMatchObject({
      ok: false,
      errors: [
        { line: 1, column: 10 },
        { line: 2, column: 10 },
      ],
    });
  });

  it('on non-string input from untyped callers', () => {
    for (const input of [undefined, null, 42, {}]) {
      const result = parseCompactPlan(input as unknown as string);
      expect(typeof result.ok).toBe('boolean');
    }
  });
});
