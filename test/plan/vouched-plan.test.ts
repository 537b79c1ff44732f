// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { describe, expect, it } from 'vitest';
import { executePlan } from '../../src/exec/execute-plan.ts';
import { Plan } from '../../src/plan/plan-schema.ts';
import { isVouchedPlan, vouchForPlan } from '../../src/plan/vouched-plan.ts';
import { ToolRegistry } from '../../src/tool/registry.ts';
import { validatePlan } from '../../src/validate/validate-plan.ts';

describe('a plan the validator passed', () => {
  it('is vouched for, and runs to the same result', async () => {
    const plan = {
      version: 1,
      nodes: [
        { id: 'a', value: 2 },
        { id: 'b', value: '${a + 1}' },
      ],
    };
    const checked = validatePlan(plan, new ToolRegistry());
    expect(checked.valid).toBe(true);
    expect(isVouchedPlan(plan)).toBe(true);
    expect(Plan.safeParse(plan).success).toBe(true);
    const res = await executePlan(checked.plan, { tools: [] });
    expect(res).toMatchObject({ status: 'succeeded', output: { b: 3 } });
  });

  it('is not vouched for when invalid, and executePlan still refuses it', async () => {
    const plan = { version: 1, nodes: [{ id: 'a', value: 1, bogus: true }] };
    expect(validatePlan(plan, new ToolRegistry()).valid).toBe(false);
    expect(isVouchedPlan(plan)).toBe(false);
    const res = await executePlan(plan, { tools: [] });
    expect(res.status).toBe('failed');
    expect(JSON.stringify(res)).toContain('invalid_plan');
  });

  it('skips the executor parse: a vouched object is taken as it is', async () => {
    // Only the validator vouches in practice; here the skip itself is observed.
    const plan = { version: 1, nodes: [{ id: 'a', value: 1, extra_field: 1 }] };
    expect(Plan.safeParse(plan).success).toBe(false);
    vouchForPlan(plan);
    const res = await executePlan(plan, { tools: [] });
    expect(res.status).toBe('succeeded');
    expect(isVouchedPlan({ ...plan })).toBe(false);
    expect(isVouchedPlan(null)).toBe(false);
  });
});
