import type { JournalStore, LeaseHolder, RunLease } from './journal-store.ts';
import { leasedStore } from './leased-store.ts';

export const DEFAULT_LEASE_TTL_MS = 15_000;

export interface HeldLease {
  lease: RunLease;
  /** The store bound to the lease: hand it to executePlan / resumeRun. */
  store: JournalStore;
  /** Aborts when a renewal finds the lease taken over: the run must stop. */
  lost: AbortSignal;
  /** Stops renewing and frees the run. */
  release(): Promise<void>;
}

/**
 * Takes a run's lease and keeps it renewed (every third of its TTL) while the run lives.
 * Rejects with RunLeasedError when another live writer holds it. The renewal timer keeps
 * the process alive, as the run it guards is alive; `release` stops it.
 */
export async function holdLease(
  store: JournalStore,
  runId: string,
  holder: LeaseHolder,
  ttlMs: number = DEFAULT_LEASE_TTL_MS,
): Promise<HeldLease> {
  let lease = await store.acquireLease(runId, holder, { ttlMs });
  const lost = new AbortController();
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(
    () => {
      renewing = store.renewLease(lease, { ttlMs }).then(
        (next) => {
          lease = next;
        },
        (error: unknown) => {
          clearInterval(timer);
          lost.abort(error);
        },
      );
    },
    Math.max(10, Math.floor(ttlMs / 3)),
  );
  return {
    get lease() {
      return lease;
    },
    store: leasedStore(store, lease),
    lost: lost.signal,
    async release() {
      clearInterval(timer);
      await renewing;
      if (!lost.signal.aborted) await store.releaseLease(lease);
    },
  };
}
