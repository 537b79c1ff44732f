import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type { RunEvent } from '../exec/events.ts';
import type { JournalStore, LeaseHolder, RunLease } from '../exec/journal-store.ts';
import { leasedStore } from '../exec/leased-store.ts';

/**
 * The contract every JournalStore keeps, as a test suite a third-party store runs in its
 * own test framework (vitest, jest, node:test: anything with `describe` and `it`):
 *
 * ```ts
 * import { describe, it } from 'vitest';
 * import { journalConformance } from 'toolplan/testing';
 * journalConformance('redis', { describe, it, make: async () => new RedisStore(freshPrefix()),
 *   peer: (s) => new RedisStore(s.prefix) });
 * ```
 *
 * `make` returns a client of a fresh, empty backend; `peer`, a second client of the same
 * backend (another process's view of it: a new connection, a new instance on the same
 * folder) for the concurrent-writer and lease race tests. Without `peer` the races run on
 * one client. Assertions use node:assert, so no framework's `expect` is needed.
 */
export interface JournalConformanceOptions<S extends JournalStore = JournalStore> {
  describe: (name: string, body: () => void) => unknown;
  it: (name: string, body: () => Promise<void>) => unknown;
  make: () => S | Promise<S>;
  peer?: (store: S) => S | Promise<S>;
  /** Lets go of a client after each test (file handles, connections); default `close` per run. */
  dispose?: (store: S) => void | Promise<void>;
}

const ev = (seq: number, key = `n${seq}`): RunEvent => ({
  type: 'node.started',
  key,
  node: key,
  kind: 'call',
  seq,
  at: 1000 + seq,
});
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => ev(from + i));
const seqs = async (s: JournalStore, runId: string) => (await s.read(runId)).map((e) => e.seq);
const holder = (owner: string, pid = process.pid): LeaseHolder => ({
  owner,
  pid,
  host: hostname(),
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rejectsWith(p: Promise<unknown>, code: string): Promise<Error> {
  try {
    await p;
  } catch (error) {
    assert.equal((error as { code?: unknown }).code, code, `expected code ${code}: ${error}`);
    return error as Error;
  }
  assert.fail(`expected a rejection with code ${code}, but it resolved`);
}

/** A pid that belonged to a process on this host and no longer does. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  assert.ok(child.pid, 'could not start a child process to get a dead pid');
  return child.pid;
}

export function journalConformance<S extends JournalStore>(
  name: string,
  options: JournalConformanceOptions<S>,
): void {
  const { describe, it } = options;
  /** Runs a test body with fresh clients and always lets go of them. */
  const test = (title: string, body: (store: S, peer: S) => Promise<void>) =>
    it(title, async () => {
      const store = await options.make();
      const peer = options.peer ? await options.peer(store) : store;
      try {
        await body(store, peer);
      } finally {
        for (const s of peer === store ? [store] : [store, peer]) {
          if (options.dispose) await options.dispose(s);
          else for (const runId of await s.list()) await s.close?.(runId);
        }
      }
    });

  describe(`JournalStore conformance: ${name}`, () => {
    appendAndReadTests(test);
    sequenceTests(test);
    leaseTests(test);
  });
}

type Test = (
  title: string,
  body: (store: JournalStore, peer: JournalStore) => Promise<void>,
) => unknown;

function appendAndReadTests(test: Test): void {
  test('reads [] for an unknown run and lists nothing at first', async (store) => {
    assert.deepEqual(await store.read('nope'), []);
    assert.deepEqual(await store.list(), []);
  });

  test('keeps events in append order, per run, across appends', async (store) => {
    await store.append('r1', [ev(0), ev(1)]);
    await store.append('r2', [ev(0, 'other')]);
    await store.append('r1', [ev(2)]);
    assert.deepEqual(await seqs(store, 'r1'), [0, 1, 2]);
    assert.equal((await store.read('r2')).length, 1);
    assert.deepEqual((await store.list()).sort(), ['r1', 'r2']);
  });

  test('round-trips every value the runtime makes: unicode, Infinity, NaN, -0, $t keys', async (store) => {
    const output = {
      s: 'é\n"x"\u2028',
      n: [1, 2.5, null, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, -0],
      o: { deep: { t: true, $t: 'n', v: 'Infinity' } },
      tagged: { $t: 'o', v: { $t: 'big', v: '1' } },
    };
    const event: RunEvent = { type: 'node.succeeded', key: 'k', output, seq: 0, at: 1 };
    await store.append('r', [event]);
    const [got] = await store.read('r');
    // deepStrictEqual tells NaN from null and -0 from 0.
    assert.deepStrictEqual(got, { type: 'node.succeeded', key: 'k', output, seq: 0, at: 1 });
  });

  test('does not let a caller change stored events through what read returned', async (store) => {
    await store.append('r', [ev(0)]);
    const got = await store.read('r');
    (got[0] as { key: string }).key = 'changed';
    assert.equal(((await store.read('r'))[0] as { key: string }).key, 'n0');
  });

  test('survives concurrent appends to many runs', async (store) => {
    await Promise.all(
      Array.from({ length: 20 }, async (_, r) => {
        for (let i = 0; i < 10; i++) await store.append(`run${r}`, [ev(i)]);
      }),
    );
    for (let r = 0; r < 20; r++)
      assert.deepEqual(await seqs(store, `run${r}`), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
}

/** seq is monotonic whoever appends: the store, not the caller, keeps it so. */
function sequenceTests(test: Test): void {
  test('refuses an append whose seq does not continue the journal, and stores none of it', async (store) => {
    await rejectsWith(store.append('r', [ev(1)]), 'seq_conflict');
    await store.append('r', range(0, 3));
    await rejectsWith(store.append('r', [ev(2)]), 'seq_conflict');
    await rejectsWith(store.append('r', [ev(4)]), 'seq_conflict');
    await rejectsWith(store.append('r', [ev(3), ev(5)]), 'seq_conflict');
    await rejectsWith(store.append('r', [ev(3), ev(3)]), 'seq_conflict');
    assert.deepEqual(await seqs(store, 'r'), [0, 1, 2]);
    await store.append('r', [ev(3)]);
    assert.deepEqual(await seqs(store, 'r'), [0, 1, 2, 3]);
  });

  test('two writers racing on one run: each seq is stored once, the loser is refused', async (store, peer) => {
    await store.append('r', [ev(0)]);
    let refused = 0;
    for (let seq = 1; seq <= 20; seq++) {
      const both = await Promise.allSettled([
        store.append('r', [ev(seq, `a${seq}`)]),
        peer.append('r', [ev(seq, `b${seq}`)]),
      ]);
      const won = both.filter((b) => b.status === 'fulfilled').length;
      assert.equal(won, 1, `exactly one writer must store seq ${seq}`);
      for (const b of both)
        if (b.status === 'rejected') {
          assert.equal((b.reason as { code?: unknown }).code, 'seq_conflict');
          refused += 1;
        }
    }
    assert.equal(refused, 20);
    for (const s of [store, peer])
      assert.deepEqual(
        await seqs(s, 'r'),
        Array.from({ length: 21 }, (_, i) => i),
      );
  });
}

/** One writer per run: leases, fencing tokens, takeover of expired and dead holders. */
function leaseTests(test: Test): void {
  test('a lease excludes a second holder, and the error names the first', async (store, peer) => {
    const lease = await store.acquireLease('r', holder('resume'), { ttlMs: 60_000 });
    assert.equal(lease.runId, 'r');
    assert.ok(lease.token >= 1, 'tokens start at 1');
    assert.ok(lease.expiresAt > Date.now());
    const error = await rejectsWith(
      peer.acquireLease('r', holder('other'), { ttlMs: 60_000 }),
      'run_leased',
    );
    assert.match(error.message, new RegExp(`pid ${process.pid}`));
    assert.match(error.message, new RegExp(hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.deepEqual((await peer.currentLease('r'))?.token, lease.token);
    // Another run is free.
    await peer.releaseLease(await peer.acquireLease('s', holder('other'), { ttlMs: 60_000 }));
    await store.releaseLease(lease);
  });

  test('release frees the run, and the next lease has a higher token', async (store, peer) => {
    const first = await store.acquireLease('r', holder('a'), { ttlMs: 60_000 });
    await store.releaseLease(first);
    assert.equal(await peer.currentLease('r'), undefined);
    const second = await peer.acquireLease('r', holder('b'), { ttlMs: 60_000 });
    assert.ok(second.token > first.token, 'fencing tokens only go up');
    await rejectsWith(store.append('r', [ev(0)], { lease: first }), 'lease_lost');
    await peer.append('r', [ev(0)], { lease: second });
    await peer.releaseLease(second);
  });

  test('an expired lease is taken over; the old holder is fenced off', async (store, peer) => {
    const old = await store.acquireLease('r', holder('a'), { ttlMs: 40 });
    await store.append('r', [ev(0)], { lease: old });
    await sleep(80);
    const taken = await peer.acquireLease('r', holder('b'), { ttlMs: 60_000 });
    assert.ok(taken.token > old.token);
    await rejectsWith(store.append('r', [ev(1)], { lease: old }), 'lease_lost');
    await rejectsWith(store.renewLease(old, { ttlMs: 60_000 }), 'lease_lost');
    await store.releaseLease(old); // a no-op: it is not the current lease
    assert.equal((await peer.currentLease('r'))?.token, taken.token);
    await peer.append('r', [ev(1)], { lease: taken });
    assert.deepEqual(await seqs(peer, 'r'), [0, 1]);
    await peer.releaseLease(taken);
  });

  test('a lease whose holder died on this host is taken over at once', async (store, peer) => {
    const dead = await store.acquireLease('r', holder('crashed', deadPid()), { ttlMs: 600_000 });
    assert.equal(await peer.currentLease('r'), undefined);
    const next = await peer.acquireLease('r', holder('b'), { ttlMs: 60_000 });
    assert.ok(next.token > dead.token);
    await peer.releaseLease(next);
  });

  test('renew extends a current lease; a store bound to it appends with it', async (store) => {
    const lease = await store.acquireLease('r', holder('a'), { ttlMs: 200 });
    await sleep(5);
    const renewed = await store.renewLease(lease, { ttlMs: 60_000 });
    assert.equal(renewed.token, lease.token);
    assert.ok(renewed.expiresAt > lease.expiresAt);
    await sleep(250);
    assert.equal((await store.currentLease('r'))?.token, lease.token, 'renewed, so still live');
    const bound = leasedStore(store, renewed);
    await bound.append('r', range(0, 2));
    await store.releaseLease(renewed);
    await rejectsWith(bound.append('r', [ev(2)]), 'lease_lost');
    assert.deepEqual(await seqs(store, 'r'), [0, 1]);
  });

  test('many clients racing for one lease: exactly one wins', async (store, peer) => {
    for (let round = 0; round < 5; round++) {
      const runId = `race${round}`;
      const tries = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? peer : store).acquireLease(runId, holder(`c${i}`), { ttlMs: 60_000 }),
        ),
      );
      const won = tries.filter(
        (t) => t.status === 'fulfilled',
      ) as PromiseFulfilledResult<RunLease>[];
      assert.equal(won.length, 1, `one winner in round ${round}`);
      for (const t of tries)
        if (t.status === 'rejected')
          assert.equal((t.reason as { code?: unknown }).code, 'run_leased');
      await store.releaseLease(won[0]!.value);
    }
  });

  test('only the current holder writes while an old one keeps trying', async (store, peer) => {
    const old = await store.acquireLease('r', holder('a'), { ttlMs: 30 });
    await store.append('r', [ev(0)], { lease: old });
    await sleep(60);
    const next = await peer.acquireLease('r', holder('b'), { ttlMs: 60_000 });
    const results = await Promise.allSettled([
      store.append('r', [ev(1, 'old')], { lease: old }),
      peer.append('r', [ev(1, 'new')], { lease: next }),
    ]);
    assert.equal(results[0].status, 'rejected');
    assert.equal(results[1].status, 'fulfilled');
    const events = await peer.read('r');
    assert.deepEqual(
      events.map((e) => (e as { key: string }).key),
      ['n0', 'new'],
    );
    await peer.releaseLease(next);
  });
}
