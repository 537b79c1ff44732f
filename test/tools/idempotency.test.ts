import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBundledWorld } from '../../tools/index.ts';
import { idempotent } from '../../tools/support/idempotency.ts';
import { byName, call, ctx, tempDir } from './helpers.ts';

describe('idempotency of mutating tools', () => {
  it('every mutating tool is idempotent: same key and args twice give the first result', async () => {
    const sandboxDir = await tempDir();
    const world = createBundledWorld({ sandboxDir });
    const t = world.tools;
    const charge = await call(t, 'charge_card', { amount: 5 });
    await call(t, 'write_file', { path: 'gone.txt', content: 'x' });
    const args: Record<string, unknown> = {
      place_order: { sku: 'A1' },
      ship: { order_id: 'o4' },
      notify_restock: { sku: 'B2' },
      charge_card: { amount: 10 },
      refund: { charge_id: charge.id },
      book_seat: {},
      release_lock: {},
      submit_job: { kind: 'report' },
      write_file: { path: 'log.txt', content: 'line\n', append: true },
      delete_file: { path: 'gone.txt' },
      log_error: { message: 'oops' },
      send_email: { to: 'ada@example.com', subject: 'S', body: 'B' },
      delete_everything: {},
    };
    const mutating = t.filter((x) => x.mutating).map((x) => x.name);
    expect(new Set(Object.keys(args))).toEqual(new Set(mutating));
    for (const [name, a] of Object.entries(args)) {
      const key = ctx({ idempotencyKey: `run9/${name}` });
      const first = await call(t, name, a, key);
      const again = await call(t, name, a, { ...key, attempt: 2 });
      expect(again, name).toEqual(first);
    }
    // One effect each, read from the world itself.
    expect(world.shop.products.find((p) => p.sku === 'A1')!.count).toBe(4);
    expect(world.shop.orders).toHaveLength(24);
    expect(world.shop.shipments).toHaveLength(1);
    expect(world.shop.restockRequests).toHaveLength(1);
    expect(world.shop.charges.size).toBe(2);
    expect(world.shop.seats.bookings).toHaveLength(1);
    expect(world.shop.seats.releases).toBe(1);
    expect(world.jobs.jobs.size).toBe(2);
    expect(await readFile(join(sandboxDir, 'log.txt'), 'utf8')).toBe('line\n');
    expect(world.scenario.errorsLogged).toHaveLength(1);
    expect(world.scenario.emails).toHaveLength(1);
    expect(world.scenario.deleteEverythingRuns).toBe(1);
  });

  it('a different key is a different operation', async () => {
    const world = createBundledWorld();
    await call(world.tools, 'charge_card', { amount: 1 }, ctx({ idempotencyKey: 'r/a' }));
    await call(world.tools, 'charge_card', { amount: 1 }, ctx({ idempotencyKey: 'r/b' }));
    expect(world.shop.charges.size).toBe(2);
  });

  it('a compensation under the same key as its node is not answered from the node', async () => {
    const world = createBundledWorld();
    const key = ctx({ idempotencyKey: 'run1/charge' });
    const charge = await call(world.tools, 'charge_card', { amount: 9 }, key);
    const refund = await call(world.tools, 'refund', { charge_id: charge.id }, key);
    expect(refund).toMatchObject({ id: charge.id, refunded: true, amount: 9 });
  });

  it('concurrent calls with one key share one effect', async () => {
    const world = createBundledWorld();
    const key = ctx({ idempotencyKey: 'run1/order' });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => call(world.tools, 'place_order', { sku: 'C3' }, key)),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(world.shop.products.find((p) => p.sku === 'C3')!.count).toBe(11);
  });

  it('a failed call is forgotten, so a retry under the same key really runs', async () => {
    let calls = 0;
    const fn = idempotent(async () => {
      calls += 1;
      if (calls === 1) throw new Error('transient');
      return { n: calls };
    });
    const key = ctx({ idempotencyKey: 'run1/x' });
    await expect(fn({}, key)).rejects.toThrow('transient');
    expect(await fn({}, key)).toEqual({ n: 2 });
    expect(await fn({}, key)).toEqual({ n: 2 });
    expect(calls).toBe(2);
  });

  it('callers cannot change the remembered result by mutating what they got', async () => {
    const world = createBundledWorld();
    const key = ctx({ idempotencyKey: 'run1/job' });
    const first = await call(world.tools, 'submit_job', { kind: 'x' }, key);
    first.job_id = 'tampered';
    expect((await call(world.tools, 'submit_job', { kind: 'x' }, key)).job_id).toBe('j2');
  });

  it('a call without a key is never deduplicated', async () => {
    const world = createBundledWorld();
    const tool = byName(world.tools, 'log_error');
    await tool.execute({ message: 'a' }, ctx({ idempotencyKey: '' }));
    await tool.execute({ message: 'a' }, ctx({ idempotencyKey: '' }));
    expect(world.scenario.errorsLogged).toHaveLength(2);
  });
});
