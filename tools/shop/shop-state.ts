import { loadShopSeed, type Order, type Product } from './shop-data.ts';

export interface ShopOptions {
  /** Seats on the bookable flight; book_seat fails once they are gone. Default 2. */
  seats?: number;
  /** charge_card declines any amount above this (for saga scenarios). Default: never. */
  declineAbove?: number;
}

export interface Charge {
  id: string;
  user_id: string;
  amount: number;
  status: 'succeeded' | 'refunded';
  refund_id: string | null;
}

export interface Booking {
  booking_id: string;
  flight: string;
  seat: string;
}

export interface Shipment {
  shipment_id: string;
  order_id: string;
}

export interface RestockRequest {
  request_id: string;
  sku: string;
  email: string | null;
}

/** The mutable world behind the shop tools. Plain data, so tests can inspect every effect. */
export interface ShopState {
  readonly users: ReturnType<typeof loadShopSeed>['users'];
  readonly profiles: ReturnType<typeof loadShopSeed>['profiles'];
  readonly reviews: ReturnType<typeof loadShopSeed>['reviews'];
  readonly orders: Order[];
  readonly products: Product[];
  readonly charges: Map<string, Charge>;
  readonly shipments: Shipment[];
  readonly restockRequests: RestockRequest[];
  readonly seats: { capacity: number; bookings: Booking[]; lockHeld: boolean; releases: number };
  readonly declineAbove: number;
  nextId(prefix: string): string;
}

export function createShopState(options: ShopOptions = {}): ShopState {
  const seed = loadShopSeed();
  const counters = new Map<string, number>();
  // Orders continue after the seed's o23, so new ids never collide with seeded ones.
  counters.set('o', seed.orders.length);
  return {
    ...seed,
    charges: new Map(),
    shipments: [],
    restockRequests: [],
    seats: { capacity: options.seats ?? 2, bookings: [], lockHeld: false, releases: 0 },
    declineAbove: options.declineAbove ?? Number.POSITIVE_INFINITY,
    nextId(prefix) {
      const n = (counters.get(prefix) ?? 0) + 1;
      counters.set(prefix, n);
      return prefix === 'o' ? `o${n}` : `${prefix}_${n}`;
    },
  };
}
