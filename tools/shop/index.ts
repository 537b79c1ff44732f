import type { Tool } from '../../src/tool/tool.ts';
import { createInventoryTools } from './inventory.ts';
import { createOrderTools } from './orders.ts';
import { createPaymentTools } from './payments.ts';
import { createSeatTools } from './seats.ts';
import { createShopState, type ShopOptions, type ShopState } from './shop-state.ts';
import { createUserTools } from './users.ts';

export type { ShopOptions, ShopState } from './shop-state.ts';

export interface Shop {
  tools: Tool[];
  /** The world the tools act on: read it to check effects (charges, orders, bookings). */
  state: ShopState;
}

/** A fresh shop world (users u1..u5, 23 orders, six products) and the tools over it. */
export function createShop(options: ShopOptions = {}): Shop {
  const state = createShopState(options);
  return {
    state,
    tools: [
      ...createUserTools(state),
      ...createOrderTools(state),
      ...createInventoryTools(state),
      ...createPaymentTools(state),
      ...createSeatTools(state),
    ],
  };
}
