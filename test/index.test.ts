import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as toolplan from '../src/index.ts';
import { defineTool, executePlan, ToolRegistry, validatePlan } from '../src/index.ts';

// The README's library example, run as written.
const getOrders = defineTool({
  name: 'get_orders',
  description: 'Orders of a user',
  inputSchema: z.object({ user_id: z.string() }),
  outputSchema: z.array(z.object({ id: z.string(), amount: z.number() })),
  execute: async ({ user_id }) => [
    { id: `${user_id}-1`, amount: 10 },
    { id: `${user_id}-2`, amount: 5.5 },
  ],
});

const plan = {
  version: 1,
  nodes: [
    {
      id: 'orders',
      map: '${input.users}',
      as: 'u',
      do: [{ id: 'o', call: 'get_orders', args: { user_id: '${u}' } }],
    },
    { id: 'total', value: '${ sum(orders.map(list, sum(list.map(x, x.amount)))) }' },
  ],
  output: 'The users spent ${total} in total',
  final: true,
};

describe('the public API', () => {
  it('validates and runs a plan in a few lines', async () => {
    const registry = ToolRegistry.from([getOrders]);
    const check = validatePlan(plan, registry);
    expect(check.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const result = await executePlan(plan, {
      tools: registry,
      input: { users: ['u1', 'u2', 'u3'] },
    });
    expect(result.status).toBe('succeeded');
    expect(result.status === 'succeeded' && result.output).toBe('The users spent 46.5 in total');
  });

  it('catches a field that cannot exist before anything runs', () => {
    const bad = structuredClone(plan);
    bad.nodes[1] = { id: 'total', value: '${ orders[0][0].price }' } as (typeof plan.nodes)[1];
    const check = validatePlan(bad, ToolRegistry.from([getOrders]));
    expect(check.valid).toBe(false);
    expect(check.issues.map((i) => i.path)).toContain('/nodes/1/value');
  });

  it('names every entry point explicitly', () => {
    for (const name of [
      'runTask',
      'executePlan',
      'resumeRun',
      'validatePlan',
      'validatePlanText',
      'createModel',
      'createReplayFetch',
      'parseCompactPlan',
      'defineTool',
    ]) {
      expect(typeof (toolplan as Record<string, unknown>)[name]).toBe('function');
    }
  });
});
