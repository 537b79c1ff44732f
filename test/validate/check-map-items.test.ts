// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../../src/validate/index.ts';
import { plan, registry } from './support.ts';

/** A map over a literal list longer than max_items is flagged before the run. */
const mapOver = (n: number) =>
  plan([{ id: 'm', map: Array.from({ length: n }, (_, i) => i), do: [{ id: 'v', value: 1 }] }]);

describe('too_many_items', () => {
  it('past the default only: a warning, since the caller may raise the limit', () => {
    const r = validatePlan(mapOver(10_001), registry);
    expect(r.valid).toBe(true);
    const issue = r.issues.find((i) => i.code === 'too_many_items');
    expect(issue).toMatchObject({ severity: 'warning', path: '/nodes/0/map' });
    expect(issue?.message).toContain('10001 items, more than max_items (10000)');
  });

  it('at the default, or over an expression: nothing', () => {
    expect(validatePlan(mapOver(10_000), registry).issues).toEqual([]);
    const expr = plan([{ id: 'm', map: '${[1, 2, 3]}', do: [{ id: 'v', value: 1 }] }]);
    expect(validatePlan({ ...(expr as object), limits: { max_items: 1 } }, registry).valid).toBe(
      true,
    );
  });

  it("past the plan's own limit: an error", () => {
    const r = validatePlan({ ...(mapOver(5) as object), limits: { max_items: 4 } }, registry);
    expect(r.valid).toBe(false);
    expect(r.issues.map((i) => [i.code, i.severity])).toEqual([['too_many_items', 'error']]);
  });
});
