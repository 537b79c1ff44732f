// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import type { PlanT } from '../../../src/plan/plan-schema.ts';

/**
 * A final plan over the shop tools (`shop-tools.ts`, the bundled shop in the bench): three
 * independent calls, then one that needs all three. Loop tests and the loop bench share it.
 */
export const FAN_OUT_PLAN: PlanT = {
  version: 1,
  nodes: [
    { id: 'o1', call: 'get_orders', args: { user_id: 'u1' } },
    { id: 'o2', call: 'get_orders', args: { user_id: 'u2' } },
    { id: 'o3', call: 'get_orders', args: { user_id: 'u3' } },
    { id: 'total', call: 'calculate_total', args: { orders: '${o1 + o2 + o3}' } },
  ],
  output: 'They spent ${total.total} in ${total.count} orders',
  final: true,
};

/** `FAN_OUT_PLAN` in compact syntax, one statement a line. */
export const FAN_OUT_COMPACT = [
  'o1 = get_orders(user_id: "u1")',
  'o2 = get_orders(user_id: "u2")',
  'o3 = get_orders(user_id: "u3")',
  'total = calculate_total(orders: o1 + o2 + o3)',
  'output "They spent ${total.total} in ${total.count} orders"',
  'final',
];
