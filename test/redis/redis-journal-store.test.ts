import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/exec/events.ts';
import { SeqConflictError, StaleLeaseError } from '../../src/redis/lease.ts';
import { RedisJournalStore } from '../../src/redis/redis-journal-store.ts';
import { journalConformance } from '../exec/journal-conformance.ts';
import { freshPrefix, startRedis } from './support/redis.ts';

let env: Awaited<ReturnType<typeof startRedis>>;
let redis: Redis;
beforeAll(async () => {
  env = await startRedis();
  redis = env.connect();
});
afterAll(async () => env?.stop());

const ev = (seq: number): RunEvent =>
  ({
    type: 'node.started',
    key: `n${seq}`,
    node: `n${seq}`,
    kind: 'call',
    seq,
    at: seq,
  }) as RunEvent;
const fresh = () => new RedisJournalStore(redis, { prefix: freshPrefix() });

journalConformance('redis', () => fresh());

describe('RedisJournalStore: seq enforced in Redis', () => {
  it('refuses a batch whose first seq is not the next one, and a batch with a gap', async () => {
    const store = fresh();
    await store.append('r', [ev(0), ev(1)]);
    await expect(store.append('r', [ev(1)])).rejects.toBeInstanceOf(SeqConflictError);
    await expect(store.append('r', [ev(3)])).rejects.toMatchObject({ code: 'seq_conflict' });
    await expect(store.append('r', [ev(2), ev(4)])).rejects.toBeInstanceOf(SeqConflictError);
    expect((await store.read('r')).map((e) => e.seq)).toEqual([0, 1]);
  });

  it('lets exactly one of two concurrent writers append at the same seq', async () => {
    const a = fresh();
    const b = new RedisJournalStore(env.connect(), { prefix: a.keys.prefix });
    await a.append('r', [ev(0)]);
    for (let seq = 1; seq < 40; seq++) {
      const results = await Promise.allSettled([
        a.append('r', [ev(seq)]),
        b.append('r', [ev(seq)]),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    }
    expect((await a.read('r')).map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('lists runs oldest first and keeps the active set', async () => {
    const store = fresh();
    await store.append('first', [
      {
        type: 'run.started',
        runId: 'first',
        plan: {},
        input: null,
        options: { limits: {} },
        seq: 0,
        at: 0,
      },
    ]);
    await new Promise((r) => setTimeout(r, 5));
    await store.append('second', [ev(0)]);
    expect(await store.list()).toEqual(['first', 'second']);
    expect(await store.activeRuns()).toEqual(['first']);
    await store.append('first', [
      { type: 'run.finished', status: 'succeeded', output: 1, seq: 1, at: 1 },
    ]);
    expect(await store.activeRuns()).toEqual([]);
  });
});

describe('RedisJournalStore: leases with fencing tokens', () => {
  it('gives a run to one owner at a time, with tokens that only grow', async () => {
    const store = fresh();
    const a = await store.acquireLease('r', 'A', 300);
    expect(a).toMatchObject({ runId: 'r', owner: 'A' });
    expect(await store.acquireLease('r', 'B', 300)).toBeUndefined();
    await store.append('r', [ev(0)], a);
    await new Promise((r) => setTimeout(r, 400));
    const b = await store.acquireLease('r', 'B', 5000);
    expect(b!.token).toBeGreaterThan(a!.token);
    // A paused past its expiry and came back: fenced on append and on renewal.
    await expect(store.append('r', [ev(1)], a)).rejects.toBeInstanceOf(StaleLeaseError);
    expect(await store.renewLease(a!, 300)).toBeUndefined();
    // Nor can anyone write without the lease while B holds it.
    await expect(store.append('r', [ev(1)])).rejects.toMatchObject({ code: 'stale_lease' });
    await store.append('r', [ev(1)], b);
    await store.releaseLease(a!); // not A's any more: a no-op
    expect(await store.leaseHolder('r')).toMatchObject({ owner: 'B', token: b!.token });
    await store.releaseLease(b!);
    expect(await store.leaseHolder('r')).toBeUndefined();
    expect((await store.read('r')).map((e) => e.seq)).toEqual([0, 1]);
  });

  it('lets a holder whose lease lapsed with nobody taking it go on (Redis was down)', async () => {
    const store = fresh();
    const a = (await store.acquireLease('r', 'A', 150))!;
    await new Promise((r) => setTimeout(r, 250));
    expect(await store.leaseHolder('r')).toBeUndefined();
    await store.append('r', [ev(0)], a);
    expect(await store.renewLease(a, 1000)).toMatchObject({ token: a.token });
    expect(await store.acquireLease('r', 'B', 1000)).toBeUndefined();
  });

  it('renews a live lease and keeps others out for as long as it is renewed', async () => {
    const store = fresh();
    let a = (await store.acquireLease('r', 'A', 200))!;
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 100));
      a = (await store.renewLease(a, 200))!;
      expect(a).toBeDefined();
      expect(await store.acquireLease('r', 'B', 200)).toBeUndefined();
    }
  });
});

describe('RedisJournalStore: a Redis restart', () => {
  it('keeps every acknowledged event across a SIGKILL of redis-server (AOF, fsync always)', async () => {
    const store = fresh();
    const batches = 50;
    for (let i = 0; i < batches; i++) await store.append('r', [ev(2 * i), ev(2 * i + 1)]);
    await env.server.kill('SIGKILL');
    await env.server.restart();
    // The same connection reconnects by itself; commands wait for it meanwhile.
    expect((await store.read('r')).map((e) => e.seq)).toEqual(
      Array.from({ length: 2 * batches }, (_, i) => i),
    );
    await store.append('r', [ev(2 * batches)]);
    expect(await store.list()).toEqual(['r']);
  });
});
