import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/exec/events.ts';
import { thisProcess } from '../../src/exec/journal-lease.ts';
import { RedisJournalStore } from '../../src/redis/redis-journal-store.ts';
import { journalConformance } from '../../src/testing/journal-conformance.ts';
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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The shared contract, with a second connection as the other process's view.
journalConformance('redis', {
  describe,
  it,
  make: () => fresh(),
  peer: (s) => new RedisJournalStore(env.connect(), { prefix: s.keys.prefix }),
  dispose: () => {},
});

describe('RedisJournalStore beyond the contract', () => {
  it('keeps the set of active runs a coordinator takes over from', async () => {
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
    await sleep(5);
    await store.append('second', [ev(0)]);
    expect(await store.list()).toEqual(['first', 'second']);
    expect(await store.activeRuns()).toEqual(['first']);
    await store.append('first', [
      { type: 'run.finished', status: 'succeeded', output: 1, seq: 1, at: 1 },
    ]);
    expect(await store.activeRuns()).toEqual([]);
  });

  it('refuses an append with no lease while another holder has the run', async () => {
    const store = fresh();
    const lease = await store.acquireLease('r', thisProcess('a'), { ttlMs: 60_000 });
    await expect(store.append('r', [ev(0)])).rejects.toMatchObject({ code: 'lease_lost' });
    await store.append('r', [ev(0)], { lease });
    await store.releaseLease(lease);
    await store.append('r', [ev(1)]);
  });

  it('lets a holder whose lease lapsed with nobody taking it go on (Redis was down)', async () => {
    const store = fresh();
    const a = await store.acquireLease('r', thisProcess('a'), { ttlMs: 100 });
    await sleep(200);
    expect(await store.currentLease('r')).toBeUndefined();
    await store.append('r', [ev(0)], { lease: a });
    expect((await store.renewLease(a, { ttlMs: 60_000 })).token).toBe(a.token);
    await expect(store.acquireLease('r', thisProcess('b'), { ttlMs: 1000 })).rejects.toMatchObject({
      code: 'run_leased',
    });
    // Released, by contrast, is gone for good.
    await store.releaseLease(a);
    await expect(store.renewLease(a, { ttlMs: 1000 })).rejects.toMatchObject({
      code: 'lease_lost',
    });
  });

  it('keeps every acknowledged event across a SIGKILL of redis-server (AOF, fsync always)', async () => {
    const store = fresh();
    const lease = await store.acquireLease('r', thisProcess('a'), { ttlMs: 60_000 });
    const batches = 50;
    for (let i = 0; i < batches; i++)
      await store.append('r', [ev(2 * i), ev(2 * i + 1)], { lease });
    await env.server.kill('SIGKILL');
    await env.server.restart();
    // The same connection reconnects by itself; commands wait for it meanwhile.
    expect((await store.read('r')).map((e) => e.seq)).toEqual(
      Array.from({ length: 2 * batches }, (_, i) => i),
    );
    expect((await store.currentLease('r'))?.token).toBe(lease.token);
    await store.append('r', [ev(2 * batches)], { lease });
    expect(await store.list()).toEqual(['r']);
  });
});
