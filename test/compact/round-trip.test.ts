import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCompactPlan, printCompactPlan } from '../../src/compact/index.ts';
import { planArbitrary } from './fixtures/plan-arbitrary.ts';

describe('printCompactPlan and parseCompactPlan round-trip', () => {
  it('any plan, every node kind and field, prints and parses back deep-equal', () => {
    fc.assert(
      fc.property(planArbitrary, (plan) => {
        const text = printCompactPlan(plan);
        expect(parseCompactPlan(text), text).toEqual({ ok: true, plan });
      }),
      { numRuns: 1500 },
    );
  });
});
