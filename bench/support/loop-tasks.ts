// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { FAN_OUT_PLAN } from '../../test/loop/support/plans.ts';
import type { SimTask } from './sim-llm.ts';

type Order = { amount: number; sku: string };
type User = { id: string; tier: string };

const amounts = (lists: unknown[]) =>
  (lists as Order[][]).flat().map((o) => ({ amount: o.amount }));
const money = (n: number) => Math.round(n * 100) / 100;

/** The bench tasks: the same for every mode; tools are the bundled shop's. */
export const LOOP_TASKS: SimTask[] = [
  {
    name: 'fan-out: 3 users',
    kind: 'fan-out',
    task: 'What did users u1, u2 and u3 spend in total?',
    plan: FAN_OUT_PLAN,
    turns: [
      () => ['u1', 'u2', 'u3'].map((u) => ({ name: 'get_orders', args: { user_id: u } })),
      (r) => [{ name: 'calculate_total', args: { orders: amounts(r.slice(0, 3)) } }],
      (r) => {
        const t = r[3] as { total: number; count: number };
        return { answer: `They spent ${t.total} in ${t.count} orders` };
      },
    ],
  },
  {
    name: 'dependent: chain',
    kind: 'dependent',
    task: "Is the product of u1's latest order in stock, and what has u1 spent in total?",
    plan: {
      version: 1,
      nodes: [
        { id: 'orders', call: 'get_orders', args: { user_id: 'u1' } },
        { id: 'stock', call: 'check_inventory', args: { sku: '${orders[size(orders) - 1].sku}' } },
        { id: 'total', call: 'calculate_total', args: { orders: '${orders}' } },
      ],
      output:
        'u1 spent ${total.total}; their latest order (${stock.name}) has ${stock.count} in stock',
      final: true,
    },
    turns: [
      () => [{ name: 'get_orders', args: { user_id: 'u1' } }],
      (r) => {
        const orders = r[0] as Order[];
        return [
          { name: 'check_inventory', args: { sku: orders.at(-1)!.sku } },
          { name: 'calculate_total', args: { orders: amounts([orders]) } },
        ];
      },
      (r) => {
        const stock = r[1] as { name: string; count: number };
        const total = r[2] as { total: number };
        return {
          answer: `u1 spent ${total.total}; their latest order (${stock.name}) has ${stock.count} in stock`,
        };
      },
    ],
  },
  {
    name: 'dependent: fan-out after a lookup',
    kind: 'dependent',
    task: 'What did all gold-tier users spend in total?',
    plan: {
      version: 1,
      nodes: [
        { id: 'users', call: 'list_users', args: {} },
        {
          id: 'spend',
          map: "${users.filter(u, u.tier == 'gold')}",
          as: 'u',
          do: [
            { id: 'o', call: 'get_orders', args: { user_id: '${u.id}' } },
            { id: 't', call: 'calculate_total', args: { orders: '${o}' } },
          ],
        },
      ],
      output: 'Gold-tier users spent ${round(sum(spend.map(s, s.total)), 2)} in total',
      final: true,
    },
    turns: [
      () => [{ name: 'list_users', args: {} }],
      (r) =>
        (r[0] as User[])
          .filter((u) => u.tier === 'gold')
          .map((u) => ({ name: 'get_orders', args: { user_id: u.id } })),
      (r) => [{ name: 'calculate_total', args: { orders: amounts(r.slice(1)) } }],
      (r) => ({
        answer: `Gold-tier users spent ${money((r.at(-1) as { total: number }).total)} in total`,
      }),
    ],
  },
  {
    name: 'one call',
    kind: 'one call',
    task: "What is u1's loyalty tier?",
    plan: {
      version: 1,
      nodes: [{ id: 'user', call: 'get_user', args: { user_id: 'u1' } }],
      output: '${user.name} (u1) is in the ${user.tier} tier',
      final: true,
    },
    turns: [
      () => [{ name: 'get_user', args: { user_id: 'u1' } }],
      (r) => {
        const u = r[0] as { name: string; tier: string };
        return { answer: `${u.name} (u1) is in the ${u.tier} tier` };
      },
    ],
  },
];
