import type { RunEvent } from './events.ts';
import type { AppendOptions, JournalStore, RunLease } from './journal-store.ts';

/**
 * A store bound to one run's lease: every append to that run carries the lease, so the store
 * fences it. The executor takes this like any store and need not know about leases.
 */
export function leasedStore(store: JournalStore, lease: RunLease): JournalStore {
  const opts = (runId: string, options?: AppendOptions): AppendOptions | undefined =>
    runId === lease.runId ? { ...options, lease } : options;
  const bound: JournalStore = {
    append: (runId: string, events: readonly RunEvent[], options?: AppendOptions) =>
      store.append(runId, events, opts(runId, options)),
    read: (runId) => store.read(runId),
    list: () => store.list(),
    acquireLease: (runId, holder, options) => store.acquireLease(runId, holder, options),
    renewLease: (l, options) => store.renewLease(l, options),
    releaseLease: (l) => store.releaseLease(l),
    currentLease: (runId) => store.currentLease(runId),
  };
  if (store.close) bound.close = (runId) => store.close!(runId);
  if (store.appendSync)
    bound.appendSync = (runId: string, event: RunEvent, options?: AppendOptions) =>
      store.appendSync!(runId, event, opts(runId, options));
  if (store.appendBatchSync)
    bound.appendBatchSync = (runId: string, events: readonly RunEvent[], options?: AppendOptions) =>
      store.appendBatchSync!(runId, events, opts(runId, options));
  return bound;
}
