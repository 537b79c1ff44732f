import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCompactPlan, printCompactPlan } from '../../src/compact/index.ts';
import { NODE_KIND_KEYS, nodeKind, Plan, type PlanNode } from '../../src/plan/plan-schema.ts';

const promptUrl = new URL('../../prompts/compact-syntax.md', import.meta.url);

function allNodes(nodes: PlanNode[]): PlanNode[] {
  return nodes.flatMap((n) => {
    const r = n as Record<string, unknown>;
    const cases = (r.switch as Array<{ do: PlanNode[] }> | undefined) ?? [];
    const bodies = ['do', 'race', 'loop', 'try', 'catch', 'finally']
      .map((k) => (r[k] as PlanNode[] | undefined) ?? [])
      .concat(cases.map((c) => c.do));
    return [n, ...allNodes(bodies.flat())];
  });
}

describe('prompts/compact-syntax.md', () => {
  const blocks = [...readFileSync(promptUrl, 'utf8').matchAll(/```\n([\s\S]*?)```/g)].map(
    (m) => m[1]!,
  );

  it('every example parses to a valid plan and reprints to the same plan', () => {
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const result = parseCompactPlan(block);
      if (!result.ok) throw new Error(`${block}\n${JSON.stringify(result.errors)}`);
      expect(Plan.safeParse(result.plan).success).toBe(true);
      expect(parseCompactPlan(printCompactPlan(result.plan))).toEqual(result);
    }
  });

  it('the examples show every node kind', () => {
    const kinds = new Set(
      blocks.flatMap((b) => {
        const r = parseCompactPlan(b);
        return r.ok ? allNodes(r.plan.nodes).map(nodeKind) : [];
      }),
    );
    expect([...kinds].sort()).toEqual([...NODE_KIND_KEYS].sort());
  });
});
