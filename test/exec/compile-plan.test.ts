import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePlan } from '../../src/exec/compile-plan.ts';
import { buildListGraph } from '../../src/exec/dataflow.ts';
import { buildPlanGraph } from '../../src/plan/plan-graph.ts';
import type { PlanT } from '../../src/plan/plan-schema.ts';

/** The root list's dependency graph, straight from the plan graph's per-node deps. */
function graphDeps(plan: PlanT) {
  const root = buildPlanGraph(plan).root;
  return buildListGraph(root.nodes.map((g) => [...g.deps].map((id) => root.byId.get(id)!.index)));
}

const plainCalls = fc
  .array(
    fc.record({
      after: fc.uniqueArray(fc.nat(), { maxLength: 3 }),
      args: fc.oneof(fc.constant(undefined), fc.constant({}), fc.constant({ a: [1, 'x'] })),
    }),
    { maxLength: 40 },
  )
  .map(
    (specs): PlanT =>
      ({
        version: 1,
        nodes: specs.map((s, i) => ({
          id: `n${i}`,
          call: 'noop',
          ...(s.args === undefined ? {} : { args: s.args }),
          // Earlier nodes mostly, and now and then the same node or a later one.
          ...(s.after.length && i > 0
            ? { after: [...new Set(s.after.map((j) => `n${j % (i + 1)}`))] }
            : {}),
        })),
      }) as unknown as PlanT,
  );

describe('compilePlan on plans of plain calls', () => {
  it('gives the dependency graph the plan graph gives', () => {
    fc.assert(
      fc.property(plainCalls, (plan) => {
        const compiled = compilePlan(plan);
        const expected = graphDeps(plan);
        expect(compiled.root.graph).toEqual(expected);
        expect(compiled.root.nodes.map((n) => [n.id, n.kind, n.refs])).toEqual(
          plan.nodes.map((n) => [n.id, 'call', [n.id]]),
        );
      }),
    );
  });

  it('still rejects duplicate ids and cycles with the general error', () => {
    const dup = {
      version: 1,
      nodes: [
        { id: 'a', call: 'noop' },
        { id: 'a', call: 'noop' },
      ],
    };
    expect(() => compilePlan(dup as unknown as PlanT)).toThrow(/duplicate_id|already used/);
    const cycle = {
      version: 1,
      nodes: [
        { id: 'a', call: 'noop', after: ['b'] },
        { id: 'b', call: 'noop', after: ['a'] },
      ],
    };
    expect(() => compilePlan(cycle as unknown as PlanT)).toThrow(/cycle/);
  });
});
