// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { FAN_OUT_PLAN } from '../../test/loop/support/plans.ts';
import { createShop, type Shop } from '../../tools/shop/index.ts';
import type { SimTask } from './sim-llm.ts';

type Order = { amount: number; sku: string };
type User = { id: string; tier: string };

const amounts = (lists: unknown[]) =>
  (lists as Order[][]).flat().map((o) => ({ amount: o.amount }));
const money = (n: number) => Math.round(n * 100) / 100;
/** The ten users of the 10-lookup fan-out: the shop's five and five the bench adds (benchShop). */
const TEN = Array.from({ length: 10 }, (_, i) => `u${i + 1}`);

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
    name: 'fan-out: 10 lookups',
    kind: 'fan-out',
    task: 'What loyalty tier is each of the users u1 to u10 in?',
    plan: {
      version: 1,
      nodes: [
        {
          id: 'users',
          map: `\${${JSON.stringify(TEN).replaceAll('"', "'")}}`,
          as: 'uid',
          do: [{ id: 'u', call: 'get_user', args: { user_id: '${uid}' } }],
        },
      ],
      output: '${users.map(u, u.id + " " + u.tier)}',
      final: true,
    },
    turns: [
      () => TEN.map((u) => ({ name: 'get_user', args: { user_id: u } })),
      (r) => ({ answer: JSON.stringify((r as User[]).map((u) => `${u.id} ${u.tier}`)) }),
    ],
  },
  {
    name: 'dependent: 3 users',
    kind: 'dependent',
    task: 'Look up users u1, u2 and u3, then their orders by the id on file: what did they spend in total?',
    plan: {
      version: 1,
      nodes: [
        {
          id: 'spend',
          map: "${['u1', 'u2', 'u3']}",
          as: 'uid',
          do: [
            { id: 'user', call: 'get_user', args: { user_id: '${uid}' } },
            { id: 'orders', call: 'get_orders', args: { user_id: '${user.id}' } },
          ],
        },
        {
          id: 'total',
          call: 'calculate_total',
          args: { orders: '${spend[0] + spend[1] + spend[2]}' },
        },
      ],
      output: 'They spent ${total.total} in ${total.count} orders',
      final: true,
    },
    turns: [
      () => ['u1', 'u2', 'u3'].map((u) => ({ name: 'get_user', args: { user_id: u } })),
      (r) =>
        (r.slice(0, 3) as User[]).map((u) => ({ name: 'get_orders', args: { user_id: u.id } })),
      (r) => [{ name: 'calculate_total', args: { orders: amounts(r.slice(3, 6)) } }],
      (r) => {
        const t = r[6] as { total: number; count: number };
        return { answer: `They spent ${t.total} in ${t.count} orders` };
      },
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

/** The bundled shop with users u6..u10 added, so a fan-out can look up ten users. */
export function benchShop(): Shop {
  const shop = createShop();
  const users = shop.state.users as unknown as User[];
  for (let i = 6; i <= 10; i++) {
    users.push({
      id: `u${i}`,
      name: `User ${i}`,
      email: `u${i}@example.com`,
      verified: true,
      tier: i % 2 ? 'silver' : 'standard',
    } as User);
  }
  return shop;
}
