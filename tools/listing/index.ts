import { z } from 'zod';
import type { Tool } from '../../src/tool/tool.ts';
import shopData from '../data/shop.json' with { type: 'json' };
import { OrderSchema } from '../shop/shop-data.ts';
import { bundledTool } from '../support/define.ts';
import { refused } from '../support/errors.ts';

export interface ListingOptions {
  /** Page size when the call gives none. Default 5 (23 orders: 5 pages). */
  defaultPageSize?: number;
}

// Opaque on purpose: the LLM must pass back what it was given, not compute offsets.
function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string, total: number): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^offset:(\d{1,9})$/.exec(text);
  const offset = m ? Number(m[1]) : Number.NaN;
  if (!Number.isInteger(offset) || offset <= 0 || offset >= total) {
    throw refused(
      'bad_cursor',
      `invalid cursor ${JSON.stringify(cursor)}: pass null for the first page, then exactly the next_cursor of the previous page`,
    );
  }
  return offset;
}

/** A cursor-paginated listing over a snapshot of the shop's 23 seeded orders. */
export function createListing(options: ListingOptions = {}): { tools: Tool[] } {
  const items = shopData.orders.map((o) => OrderSchema.parse(o));
  const defaultSize = options.defaultPageSize ?? 5;
  return {
    tools: [
      bundledTool({
        name: 'list_orders',
        description:
          "List all orders of the shop, one page at a time, oldest first. Pass cursor null (or omit it) for the first page, then the previous page's next_cursor; next_cursor is null on the last page. Read-only.",
        inputSchema: z.object({
          cursor: z
            .string()
            .nullable()
            .optional()
            .describe('null for the first page, then the previous next_cursor'),
          page_size: z
            .number()
            .int()
            .min(1)
            .max(50)
            .optional()
            .describe(`Items per page, 1 to 50; default ${defaultSize}`),
        }),
        outputSchema: z.object({
          items: z.array(OrderSchema).describe('This page of orders'),
          next_cursor: z.string().nullable().describe('Cursor of the next page; null at the end'),
        }),
        execute: ({ cursor, page_size }) => {
          const size = page_size ?? defaultSize;
          const start = cursor ? decodeCursor(cursor, items.length) : 0;
          const end = Math.min(items.length, start + size);
          return {
            items: items.slice(start, end).map((o) => ({ ...o })),
            next_cursor: end < items.length ? encodeCursor(end) : null,
          };
        },
      }),
    ],
  };
}
