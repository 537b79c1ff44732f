import { describe, expect, it } from 'vitest';
import { createShop } from '../../tools/index.ts';
import { byName, call, ctx } from './helpers.ts';

function failure(tools: ReturnType<typeof createShop>['tools'], name: string, args: unknown) {
  return byName(tools, name)
    .execute(args, ctx())
    .then(
      () => {
        throw new Error(`${name} should have failed`);
      },
      (e: unknown) => e as Error & { code: string; retryable: boolean },
    );
}

describe('shop', () => {
  it('runs the sequential chain: user, orders, total', async () => {
    const { tools } = createShop();
    const user = await call(tools, 'get_user', { user_id: 'u1' });
    expect(user).toEqual({
      id: 'u1',
      name: 'Ada',
      email: 'ada@example.com',
      verified: true,
      tier: 'gold',
    });
    const orders = await call(tools, 'get_orders', { user_id: user.id });
    expect(orders).toHaveLength(5);
    const total = await call(tools, 'calculate_total', { orders });
    expect(total).toEqual({ total: 438.24, count: 5 });
  });

  it('reads user ids loosely and names the known users when one does not exist', async () => {
    const { tools } = createShop();
    expect((await call(tools, 'get_user', { user_id: ' U2 ' })).name).toBe('Grace');
    expect((await call(tools, 'get_user', { user_id: '3' })).name).toBe('Alan');
    const err = await failure(tools, 'get_user', { user_id: '123' });
    expect(err.message).toMatch(/unknown user "123".*u1 \(Ada\).*u5 \(Barbara\)/);
    expect(err.retryable).toBe(false);
  });

  it('lists users, profiles and reviews', async () => {
    const { tools } = createShop();
    expect((await call(tools, 'list_users', {})).map((u: { id: string }) => u.id)).toEqual([
      'u1',
      'u2',
      'u3',
      'u4',
      'u5',
    ]);
    expect(await call(tools, 'get_profile', { user_id: 'u1' })).toMatchObject({
      name: 'Ada',
      member_since: '2019-03-14',
    });
    expect(await call(tools, 'get_user_profile', { user_id: 'u1' })).toEqual(
      await call(tools, 'get_profile', { user_id: 'u1' }),
    );
    expect(await call(tools, 'get_reviews', { user_id: 'u5' })).toEqual([]);
    expect(await call(tools, 'get_reviews', { user_id: 'u1' })).toHaveLength(3);
  });

  it('places orders from stock and refuses when stock runs out', async () => {
    const { tools, state } = createShop();
    expect((await call(tools, 'check_inventory', { sku: 'b2' })).count).toBe(0);
    const order = await call(tools, 'place_order', { sku: 'D4' });
    expect(order).toMatchObject({
      id: 'o24',
      user_id: 'u1',
      quantity: 1,
      amount: 199,
      status: 'pending',
    });
    expect((await call(tools, 'check_inventory', { sku: 'D4' })).count).toBe(0);
    const err = await failure(tools, 'place_order', { sku: 'D4' });
    expect(err).toMatchObject({ code: 'out_of_stock', retryable: false });
    expect(state.orders).toHaveLength(24);
    const unknown = await failure(tools, 'check_inventory', { sku: 'Z9' });
    expect(unknown.message).toContain('A1 (Mechanical keyboard)');
    expect(await call(tools, 'notify_restock', { sku: 'B2' })).toMatchObject({
      sku: 'B2',
      subscribed: true,
    });
  });

  it('ships the latest pending order, once', async () => {
    const { tools, state } = createShop();
    expect(await call(tools, 'ship', {})).toMatchObject({ order_id: 'o4', status: 'shipped' });
    expect(state.orders.find((o) => o.id === 'o4')!.status).toBe('shipped');
    const again = await failure(tools, 'ship', { order_id: 'o4' });
    expect(again.code).toBe('not_pending');
    expect((await failure(tools, 'ship', {})).code).toBe('nothing_to_ship');
  });

  it('charges and refunds (the saga pair); a refund moves money only once', async () => {
    const { tools, state } = createShop();
    const charge = await call(tools, 'charge_card', { amount: 99.999 });
    expect(charge).toEqual({ id: 'ch_1', user_id: 'u1', amount: 100, status: 'succeeded' });
    const r1 = await call(tools, 'refund', { charge_id: charge.id });
    const r2 = await call(tools, 'refund', { charge_id: charge.id });
    expect(r1).toEqual(r2);
    expect(r1).toMatchObject({ id: 'ch_1', refunded: true, amount: 100 });
    expect(state.charges.get('ch_1')!.status).toBe('refunded');
    expect((await failure(tools, 'refund', { charge_id: 'ch_9' })).message).toMatch(/ch_1/);
  });

  it('declines charges above the configured limit', async () => {
    const { tools, state } = createShop({ declineAbove: 50 });
    expect(await failure(tools, 'charge_card', { amount: 50.01 })).toMatchObject({
      code: 'card_declined',
      retryable: false,
    });
    expect(state.charges.size).toBe(0);
  });

  it('books seats until the flight is full; the lock stays held until released', async () => {
    const { tools, state } = createShop({ seats: 2 });
    expect(await call(tools, 'book_seat', {})).toMatchObject({ seat: '1A', flight: 'TP100' });
    expect((await failure(tools, 'book_seat', { seat: '1A' })).code).toBe('seat_unavailable');
    expect(await call(tools, 'book_seat', { seat: '1b' })).toMatchObject({ seat: '1B' });
    expect((await failure(tools, 'book_seat', {})).code).toBe('sold_out');
    expect(state.seats.lockHeld).toBe(true);
    expect(await call(tools, 'release_lock', {})).toEqual({ released: true, was_held: true });
    expect(await call(tools, 'release_lock', {})).toEqual({ released: true, was_held: false });
    expect(state.seats.lockHeld).toBe(false);
  });
});
