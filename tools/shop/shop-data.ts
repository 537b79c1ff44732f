import { z } from 'zod';
import shopData from '../data/shop.json' with { type: 'json' };
import { notFound } from '../support/errors.ts';

export const UserSchema = z.object({
  id: z.string().describe('User id, e.g. "u1"'),
  name: z.string().describe('Display name'),
  email: z.string().describe('Email address'),
  verified: z.boolean().describe('Whether the account passed identity verification'),
  tier: z.enum(['standard', 'silver', 'gold']).describe('Loyalty tier'),
});
export type User = z.infer<typeof UserSchema>;

export const ORDER_STATUSES = ['pending', 'shipped', 'delivered', 'cancelled'] as const;

export const OrderSchema = z.object({
  id: z.string().describe('Order id, e.g. "o1"'),
  user_id: z.string().describe('The customer who placed the order'),
  sku: z.string().describe('Product SKU, e.g. "A1"'),
  quantity: z.number().int().describe('Units ordered'),
  amount: z.number().describe('Order amount in dollars (price times quantity)'),
  status: z.enum(ORDER_STATUSES).describe('Order status'),
});
export type Order = z.infer<typeof OrderSchema>;

export interface Profile {
  user_id: string;
  bio: string;
  member_since: string;
}

export interface Product {
  sku: string;
  name: string;
  price: number;
  count: number;
}

export interface Review {
  id: string;
  user_id: string;
  sku: string;
  rating: number;
  text: string;
}

export const UserIdArg = z
  .string()
  .min(1)
  .describe('User id such as "u1" (u1..u5 exist; a bare number like "1" means "u1")');

/** A fresh, deep copy of the seed data: every world mutates its own. */
export function loadShopSeed() {
  const copy = structuredClone(shopData);
  return {
    // parse strips the profile fields that get_user does not return.
    users: copy.users.map((u): User => UserSchema.parse(u)),
    profiles: copy.users.map(
      (u): Profile => ({ user_id: u.id, bio: u.bio, member_since: u.member_since }),
    ),
    orders: copy.orders.map((o): Order => OrderSchema.parse(o)),
    products: copy.inventory as Product[],
    reviews: copy.reviews as Review[],
  };
}

/** Accepts "u1", " U1 " and "1" alike: LLMs copy ids loosely. */
export function normalizeUserId(raw: string): string {
  const id = raw.trim().toLowerCase();
  return /^\d+$/.test(id) ? `u${Number(id)}` : id;
}

export function findUser(users: readonly User[], raw: string): User {
  const id = normalizeUserId(raw);
  const user = users.find((u) => u.id === id);
  if (!user)
    throw notFound(
      'user',
      raw,
      users.map((u) => `${u.id} (${u.name})`),
    );
  return user;
}

export function findProduct(products: readonly Product[], raw: string): Product {
  const sku = raw.trim().toUpperCase();
  const product = products.find((p) => p.sku === sku);
  if (!product)
    throw notFound(
      'sku',
      raw,
      products.map((p) => `${p.sku} (${p.name})`),
    );
  return product;
}
