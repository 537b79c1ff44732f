import { z } from 'zod';
import type { Tool } from '../../src/tool/tool.ts';
import { bundledTool } from '../support/define.ts';
import { refused } from '../support/errors.ts';
import { idempotent } from '../support/idempotency.ts';
import { roundMoney } from '../support/random.ts';
import {
  findProduct,
  findUser,
  ORDER_STATUSES,
  type Order,
  OrderSchema,
  UserIdArg,
} from './shop-data.ts';
import type { ShopState } from './shop-state.ts';

export function createOrderTools(state: ShopState): Tool[] {
  return [
    bundledTool({
      name: 'get_orders',
      description:
        "List a user's orders, oldest first: a JSON array of {id, user_id, sku, quantity, amount, status}. Optionally only those with one status. Read-only.",
      inputSchema: z.object({
        user_id: UserIdArg,
        status: z.enum(ORDER_STATUSES).optional().describe('Only orders with this status'),
      }),
      outputSchema: z.array(OrderSchema),
      execute: ({ user_id, status }) => {
        const user = findUser(state.users, user_id);
        return state.orders
          .filter((o) => o.user_id === user.id && (status === undefined || o.status === status))
          .map((o) => ({ ...o }));
      },
    }),
    bundledTool({
      name: 'calculate_total',
      description:
        'Add up the amount of a list of orders (for example the output of get_orders): returns the total in dollars, rounded to cents, and how many orders were counted. Cancelled orders count too unless you filter them out first.',
      inputSchema: z.object({
        orders: z
          .array(z.looseObject({ amount: z.number().describe('Order amount in dollars') }))
          .describe('Orders to add up; each needs an "amount", other fields are ignored'),
      }),
      outputSchema: z.object({
        total: z.number().describe('Sum of the amounts, in dollars'),
        count: z.number().int().describe('Number of orders added up'),
      }),
      execute: ({ orders }) => ({
        total: roundMoney(orders.reduce((sum, o) => sum + o.amount, 0)),
        count: orders.length,
      }),
    }),
    bundledTool({
      name: 'place_order',
      description:
        'Place an order for a product: takes the units out of inventory and creates a pending order. Changes state. Fails (not retryable) when the SKU is unknown or there are not enough units in stock; check_inventory first.',
      inputSchema: z.object({
        sku: z.string().min(1).describe('Product SKU, e.g. "A1"'),
        quantity: z.number().int().min(1).max(100).default(1).describe('Units to order'),
        user_id: UserIdArg.default('u1').describe(
          'The customer; defaults to u1 (Ada, the signed-in user)',
        ),
      }),
      outputSchema: OrderSchema,
      mutating: true,
      execute: idempotent(({ sku, quantity, user_id }): Order => {
        const user = findUser(state.users, user_id);
        const product = findProduct(state.products, sku);
        if (product.count < quantity) {
          throw refused(
            'out_of_stock',
            `not enough ${product.sku} in stock: ${quantity} wanted, ${product.count} left`,
            { sku: product.sku, wanted: quantity, in_stock: product.count },
          );
        }
        product.count -= quantity;
        const order: Order = {
          id: state.nextId('o'),
          user_id: user.id,
          sku: product.sku,
          quantity,
          amount: roundMoney(product.price * quantity),
          status: 'pending',
        };
        state.orders.push(order);
        return { ...order };
      }),
    }),
    bundledTool({
      name: 'ship',
      description:
        "Ship a pending order: the given order_id, or else the user's most recent pending order. Changes state. Fails when there is no pending order to ship.",
      inputSchema: z.object({
        order_id: z.string().optional().describe('Order to ship, e.g. "o4"'),
        user_id: UserIdArg.default('u1').describe(
          'Whose latest pending order to ship when order_id is not given; defaults to u1',
        ),
      }),
      outputSchema: z.object({
        shipment_id: z.string().describe('Shipment id'),
        order_id: z.string().describe('The order shipped'),
        status: z.literal('shipped').describe('Always "shipped"'),
      }),
      mutating: true,
      execute: idempotent(({ order_id, user_id }) => {
        let order: Order | undefined;
        if (order_id !== undefined) {
          order = state.orders.find((o) => o.id === order_id.trim());
          if (!order) throw refused('unknown_order', `unknown order ${JSON.stringify(order_id)}`);
        } else {
          const user = findUser(state.users, user_id);
          order = state.orders.findLast((o) => o.user_id === user.id && o.status === 'pending');
          if (!order) throw refused('nothing_to_ship', `${user.id} has no pending order to ship`);
        }
        if (order.status !== 'pending') {
          throw refused(
            'not_pending',
            `order ${order.id} is ${order.status}; only pending orders can be shipped`,
          );
        }
        order.status = 'shipped';
        const shipment = { shipment_id: state.nextId('sh'), order_id: order.id };
        state.shipments.push(shipment);
        return { ...shipment, status: 'shipped' as const };
      }),
    }),
  ];
}
