import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createListing } from '../../tools/index.ts';
import { byName, call, ctx } from './helpers.ts';

/** What a plan's `paginate` node does: follow next_cursor until it is null. */
async function all(pageSize?: number) {
  const { tools } = createListing();
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: { items: { id: string }[]; next_cursor: string | null } = await call(
      tools,
      'list_orders',
      pageSize === undefined ? { cursor } : { cursor, page_size: pageSize },
    );
    ids.push(...page.items.map((o) => o.id));
    cursor = page.next_cursor;
    pages += 1;
    if (pages > 100) throw new Error('pagination does not end');
  } while (cursor !== null);
  return { ids, pages };
}

const EXPECTED = Array.from({ length: 23 }, (_, i) => `o${i + 1}`);

describe('list_orders pagination', () => {
  it('covers all 23 orders exactly once in 5 default pages', async () => {
    const { ids, pages } = await all();
    expect(ids).toEqual(EXPECTED);
    expect(pages).toBe(5);
  });

  it('covers every item exactly once, in order, for any page size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 50 }), async (size) => {
        const { ids, pages } = await all(size);
        expect(ids).toEqual(EXPECTED);
        expect(pages).toBe(Math.ceil(23 / size));
      }),
      { numRuns: 50 },
    );
  });

  it('treats an omitted cursor as the first page', async () => {
    const { tools } = createListing();
    const page = await call(tools, 'list_orders', {});
    expect(page.items[0].id).toBe('o1');
  });

  it('rejects forged or foreign cursors with a not-retryable error', async () => {
    const { tools } = createListing();
    for (const cursor of ['abc', Buffer.from('offset:99').toString('base64url'), 'b2Zmc2V0OjA']) {
      await expect(byName(tools, 'list_orders').execute({ cursor }, ctx())).rejects.toMatchObject({
        code: 'bad_cursor',
        retryable: false,
      });
    }
  });
});
