import { z } from 'zod';
import type { Tool } from '../../src/tool/tool.ts';
import { bundledTool } from '../support/define.ts';
import { idempotent } from '../support/idempotency.ts';
import { findProduct } from './shop-data.ts';
import type { ShopState } from './shop-state.ts';

const SkuArg = z.string().min(1).describe('Product SKU, e.g. "A1" (A1, B2, C3, D4, E5, F6 exist)');

export function createInventoryTools(state: ShopState): Tool[] {
  return [
    bundledTool({
      name: 'check_inventory',
      description:
        'How many units of a product are in stock, with its name and unit price. Read-only. Some products (e.g. B2, E5) are out of stock (count 0).',
      inputSchema: z.object({ sku: SkuArg }),
      outputSchema: z.object({
        sku: z.string().describe('Product SKU'),
        name: z.string().describe('Product name'),
        price: z.number().describe('Unit price in dollars'),
        count: z.number().int().describe('Units in stock; 0 means out of stock'),
      }),
      execute: ({ sku }) => ({ ...findProduct(state.products, sku) }),
    }),
    bundledTool({
      name: 'notify_restock',
      description:
        'Ask to be notified when an out-of-stock product is back. Records a restock request (changes state); returns its id.',
      inputSchema: z.object({
        sku: SkuArg,
        email: z.string().optional().describe('Where to send the notice; defaults to the account'),
      }),
      outputSchema: z.object({
        request_id: z.string().describe('Restock request id'),
        sku: z.string().describe('Product SKU'),
        subscribed: z.literal(true).describe('Always true'),
      }),
      mutating: true,
      execute: idempotent(({ sku, email }) => {
        const product = findProduct(state.products, sku);
        const request = {
          request_id: state.nextId('rs'),
          sku: product.sku,
          email: email ?? null,
        };
        state.restockRequests.push(request);
        return { request_id: request.request_id, sku: product.sku, subscribed: true as const };
      }),
    }),
  ];
}
