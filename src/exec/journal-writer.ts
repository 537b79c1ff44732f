import { JOURNAL_FORMAT, type NewEvent, type RunEvent } from './events.ts';
import type { JournalStore } from './journal-store.ts';
import { applyEvent, type RunState } from './run-state.ts';

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Numbers, folds and stores a run's events. `append` is synchronous: the event is folded
 * into the live state (which checks the transition) and queued. `flush` resolves when
 * everything appended so far is durable; the executor awaits it before any side effect an
 * event announces (a tool call, an emitted event, the run's result). Events appended in
 * the same turn of the event loop go out in one write.
 *
 * With a store that writes batches synchronously (`appendBatchSync`, the file store), a
 * `flush` writes the queue in a microtask: everything appended in the current synchronous
 * stretch (a fan-out's starts, a chain's previous success and next start) goes in one
 * write(2), and the caller acts as soon as the OS has it. What nobody flushes is written
 * at the end of the turn.
 */
export class JournalWriter {
  readonly runId: string;
  readonly state: RunState;
  readonly #store: JournalStore;
  readonly #onEvent: ((e: RunEvent) => void) | undefined;
  #seq: number;
  #queue: RunEvent[] = [];
  #scheduled: Promise<void> | undefined;
  #tail: Promise<void> = RESOLVED;
  /** Batches handed to the store and not yet written. */
  #writing = 0;
  #failed: unknown;
  #lateDrain: NodeJS.Immediate | undefined;

  constructor(store: JournalStore, state: RunState, onEvent?: (e: RunEvent) => void) {
    this.#store = store;
    this.state = state;
    this.runId = state.runId;
    this.#seq = state.events;
    this.#onEvent = onEvent;
  }

  append(partial: NewEvent): RunEvent {
    // Callers pass a fresh literal: stamping it in place saves a copy per event.
    const event = partial as RunEvent;
    event.seq = this.#seq;
    event.at = Date.now();
    if (event.type === 'run.started' || event.type === 'run.resumed') event.v = JOURNAL_FORMAT;
    applyEvent(this.state, event);
    this.#seq += 1;
    if (this.#store.appendBatchSync) {
      this.#queue.push(event);
      this.#lateDrain ??= setImmediate(this.#drainLate);
    } else if (this.#store.appendSync) this.#store.appendSync(this.runId, event);
    else this.#queue.push(event);
    if (this.#onEvent) {
      try {
        this.#onEvent(event);
      } catch {
        // A listener's bug must not break the run.
      }
    }
    return event;
  }

  /**
   * True when something appended is not durable yet (queued, or being written), so a
   * caller must `flush` before acting on it. Always false for a synchronous store.
   */
  get pending(): boolean {
    return this.#queue.length > 0 || this.#writing > 0 || this.#failed !== undefined;
  }

  /** Resolves when every event appended so far is durable; rejects if the store failed. */
  flush(): Promise<void> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    if (this.#queue.length === 0) return this.#tail;
    if (this.#store.appendBatchSync) return this.#flushSoon();
    this.#scheduled ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.#scheduled = undefined;
        const batch = this.#queue;
        this.#queue = [];
        this.#writing += 1;
        this.#tail = this.#tail
          .then(() => this.#store.append(this.runId, batch))
          .then(
            () => {
              this.#writing -= 1;
            },
            (error: unknown) => {
              this.#writing -= 1;
              this.#failed ??= error;
              throw error;
            },
          );
        this.#tail.then(resolve, reject);
      });
    });
    // Callers await it; this only keeps a failure nobody awaits from being "unhandled".
    this.#scheduled.catch(() => {});
    return this.#scheduled;
  }

  #flushSoon(): Promise<void> {
    this.#scheduled ??= new Promise<void>((resolve, reject) => {
      queueMicrotask(() => {
        this.#scheduled = undefined;
        try {
          this.#writeQueue();
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    });
    this.#scheduled.catch(() => {});
    return this.#scheduled;
  }

  readonly #drainLate = (): void => {
    this.#lateDrain = undefined;
    try {
      this.#writeQueue();
    } catch {
      // Recorded in #failed: the next flush rejects with it.
    }
  };

  #writeQueue(): void {
    if (this.#failed !== undefined) throw this.#failed;
    if (this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    try {
      this.#store.appendBatchSync!(this.runId, batch);
    } catch (error) {
      this.#failed ??= error;
      throw error;
    }
  }
}
