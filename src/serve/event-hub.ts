import type { RunEvent } from '../exec/events.ts';
import type {
  AppendOptions,
  JournalStore,
  LeaseHolder,
  LeaseOptions,
  RunLease,
} from '../exec/journal-store.ts';

export type Listener = (event: RunEvent) => void;

/**
 * A journal store that tells listeners about each event once the store has taken it: a
 * live stream never shows an event the journal could lose, and a reader that subscribes,
 * then reads the journal, then drops what it already saw by `seq`, misses nothing (an event
 * is either on disk before the read or published after the subscription).
 */
export class EventHub implements JournalStore {
  readonly inner: JournalStore;
  readonly #listeners = new Map<string, Set<Listener>>();

  constructor(inner: JournalStore) {
    this.inner = inner;
  }

  readonly #tails = new Map<string, Promise<void>>();

  /**
   * Appends of one run are written and published in call order even if a caller does not
   * wait for the previous one: a stream drops what is not newer than what it sent, so an
   * event published late would be lost to it.
   */
  append(runId: string, events: readonly RunEvent[], options?: AppendOptions): Promise<void> {
    const prev = this.#tails.get(runId) ?? Promise.resolve();
    const next = prev.then(async () => {
      await this.inner.append(runId, events, options);
      const set = this.#listeners.get(runId);
      if (set) for (const e of events) for (const l of set) safely(l, e);
    });
    const tail = next.catch(() => {});
    this.#tails.set(runId, tail);
    void tail.then(() => {
      if (this.#tails.get(runId) === tail) this.#tails.delete(runId);
    });
    return next;
  }

  read(runId: string): Promise<RunEvent[]> {
    return this.inner.read(runId);
  }

  list(): Promise<string[]> {
    return this.inner.list();
  }

  async close(runId: string): Promise<void> {
    await this.inner.close?.(runId);
  }

  // The lease belongs to the store underneath: the hub only adds listeners.
  acquireLease(runId: string, holder: LeaseHolder, options: LeaseOptions): Promise<RunLease> {
    return this.inner.acquireLease(runId, holder, options);
  }

  renewLease(lease: RunLease, options: LeaseOptions): Promise<RunLease> {
    return this.inner.renewLease(lease, options);
  }

  releaseLease(lease: RunLease): Promise<void> {
    return this.inner.releaseLease(lease);
  }

  currentLease(runId: string): Promise<RunLease | undefined> {
    return this.inner.currentLease(runId);
  }

  /** Events of `id` appended from now on; returns the unsubscribe. */
  subscribe(id: string, listener: Listener): () => void {
    let set = this.#listeners.get(id);
    if (!set) {
      set = new Set();
      this.#listeners.set(id, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(id);
    };
  }
}

function safely(listener: Listener, event: RunEvent): void {
  try {
    listener(event);
  } catch {
    // One client's broken stream must not stop the run or the other clients.
  }
}
