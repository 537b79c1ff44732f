import type { RunEvent } from '../exec/events.ts';
import { decodeEvent } from '../exec/journal-codec.ts';
import type { RedisJournalStore } from '../redis/redis-journal-store.ts';
import type { EventSource } from './event-source.ts';
import { applyRunEvent, emptyRunSummary } from './run-summary.ts';
import type { SummaryT } from './schemas.ts';

type Listener = (event: RunEvent) => void;

export interface RedisRunTailOptions {
  /** How often a followed run's list is polled for new events. */
  pollMs: number;
  onChange?: (summary: SummaryT) => void;
}

interface Seen {
  summary: SummaryT;
  /** How many of the run's events are folded into `summary`. */
  count: number;
}

/**
 * The runs in Redis as this server sees them, whoever owns them: each run's summary folded
 * from its Redis list, read on from where the last read stopped, and live events by polling
 * that list (`LRANGE <seen> -1` every `pollMs` while someone follows the run). Polling the
 * journal itself is what makes it correct: only events Redis acknowledged are shown, in seq
 * order, whichever process appended them, and a takeover changes nothing for a follower.
 */
export class RedisRunTail implements EventSource<RunEvent> {
  readonly #store: RedisJournalStore;
  readonly #o: RedisRunTailOptions;
  readonly #seen = new Map<string, Seen>();
  /** Reads of one run are chained, so none folds an event twice. */
  readonly #reads = new Map<string, Promise<unknown>>();
  readonly #follows = new Map<string, { listeners: Set<Listener>; timer: NodeJS.Timeout }>();

  constructor(store: RedisJournalStore, options: RedisRunTailOptions) {
    this.#store = store;
    this.#o = options;
  }

  read(id: string): Promise<RunEvent[]> {
    return this.#store.read(id);
  }

  subscribe(id: string, listener: Listener): () => void {
    let follow = this.#follows.get(id);
    if (!follow) {
      const timer = setInterval(() => void this.refresh(id).catch(() => {}), this.#o.pollMs);
      follow = { listeners: new Set(), timer };
      this.#follows.set(id, follow);
    }
    const f = follow;
    f.listeners.add(listener);
    return () => {
      f.listeners.delete(listener);
      if (f.listeners.size > 0) return;
      clearInterval(f.timer);
      this.#follows.delete(id);
    };
  }

  /** The summary folded so far, without asking Redis. */
  cached(id: string): SummaryT | undefined {
    return this.#seen.get(id)?.summary;
  }

  /** Folds the run's new events in (telling its followers); undefined when it has none. */
  refresh(id: string): Promise<SummaryT | undefined> {
    const prev = this.#reads.get(id) ?? Promise.resolve();
    const next = prev.then(() => this.#readOn(id));
    const tail = next.catch(() => {});
    this.#reads.set(id, tail);
    void tail.then(() => {
      if (this.#reads.get(id) === tail) this.#reads.delete(id);
    });
    return next;
  }

  async #readOn(id: string): Promise<SummaryT | undefined> {
    const seen = this.#seen.get(id) ?? { summary: emptyRunSummary(id), count: 0 };
    const raw = await this.#store.redis.lrange(this.#store.keys.events(id), seen.count, -1);
    if (raw.length === 0) return seen.count === 0 ? undefined : seen.summary;
    const fresh = raw.map((s) => decodeEvent(s));
    let summary = seen.summary;
    for (const e of fresh) summary = applyRunEvent(summary, e);
    this.#seen.set(id, { summary, count: seen.count + fresh.length });
    // A run first seen here is news to the live list unless it is over already.
    const appeared = seen.count === 0 && !FINISHED.has(summary.status);
    if (
      appeared ||
      summary.status !== seen.summary.status ||
      summary.waiting !== seen.summary.waiting
    )
      this.#o.onChange?.(summary);
    for (const l of this.#follows.get(id)?.listeners ?? [])
      for (const e of fresh) {
        try {
          l(e);
        } catch {
          // One client's broken stream must not stop the others.
        }
      }
    return summary;
  }

  /** Every run of the Redis run index, refreshed. */
  async all(): Promise<SummaryT[]> {
    const ids = await this.#store.list();
    const out = await Promise.all(ids.map((id) => this.refresh(id)));
    return out.filter((s): s is SummaryT => s !== undefined);
  }

  /**
   * Refreshes the runs that may be moving (Redis's active set, and those last seen not
   * finished), so the live list hears of runs other servers own.
   */
  async sweep(): Promise<void> {
    const ids = new Set(await this.#store.activeRuns());
    for (const [id, s] of this.#seen) if (!FINISHED.has(s.summary.status)) ids.add(id);
    await Promise.all([...ids].map((id) => this.refresh(id)));
  }

  close(): void {
    for (const f of this.#follows.values()) clearInterval(f.timer);
    this.#follows.clear();
  }
}

export const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);
