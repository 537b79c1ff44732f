// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/tool/registry.ts';
import { checkPlanInput, inputFieldsRead } from '../../src/validate/check-input.ts';
import { validatePlan } from '../../src/validate/validate-plan.ts';

const plan = {
  version: 1,
  nodes: [
    { id: 'a', value: '${ input.city + input["country"] }' },
    { id: 'b', value: '${ has(input.opt) ? input.opt : 1 }', args: { input: '${input.deep}' } },
  ],
};

describe('checkPlanInput', () => {
  it('finds the top-level fields a plan reads, leaving out has() guards', () => {
    expect([...inputFieldsRead(plan)].sort()).toEqual(['city', 'country', 'deep']);
  });

  it('refuses a non-object input and names each missing field', () => {
    expect(checkPlanInput(plan, 'x')[0]).toContain('must be a JSON object');
    expect(checkPlanInput(plan, [1])[0]).toContain('must be a JSON object');
    expect(checkPlanInput(plan, { city: 'Paris', deep: 1 })).toEqual([
      'the plan reads input.country, but the input has no "country"',
    ]);
    expect(checkPlanInput(plan, { city: 'P', country: 'F', deep: 1 })).toEqual([]);
  });

  it('checks the declared input schema, and the validator types input from it', () => {
    const declared = {
      version: 1,
      input: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
      nodes: [{ id: 'v', value: '${ input.m }' }],
    };
    expect(checkPlanInput(declared, {}).join()).toContain('"n"');
    const issues = validatePlan(declared, new ToolRegistry()).issues;
    expect(issues.map((i) => [i.path, i.code])).toEqual([['/nodes/0/value', 'no_such_field']]);
  });
});

describe('validator messages', () => {
  it('sorts issues by path, indexes as numbers', () => {
    const nodes = Array.from({ length: 12 }, (_, i) => ({ id: `n${i}`, value: `\${nope${i}}` }));
    const result = validatePlan({ version: 1, nodes: nodes.reverse() }, new ToolRegistry());
    const paths = result.issues.map((i) => i.path);
    expect(paths).toEqual(Array.from({ length: 12 }, (_, i) => `/nodes/${i}/value`));
  });

  it('says "an object", not "a object"', () => {
    const result = validatePlan({ version: 1, nodes: [], limits: 'x' }, new ToolRegistry());
    const text = result.issues.map((i) => i.message).join('\n');
    expect(text).not.toMatch(/\ba object\b|\ba array\b/);
    expect(text).toMatch(/an object/);
  });
});
