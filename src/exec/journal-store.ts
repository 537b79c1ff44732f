import type { RunEvent } from './events.ts';

/**
 * Where a run's events are kept. Appends are ordered per run; `append` resolves once the
 * events are durable in the store's sense (for the file store: handed to the OS, which
 * survives the process being killed). Both stores pass `test/exec/journal-conformance.ts`.
 */
export interface JournalStore {
  append(runId: string, events: readonly RunEvent[]): Promise<void>;
  /**
   * Optional fast path: a store that can take an event synchronously and durably (memory)
   * lets the executor skip batching.
   */
  appendSync?(runId: string, event: RunEvent): void;
  /** Every readable event of a run, in order; [] when the run is unknown. */
  read(runId: string): Promise<RunEvent[]>;
  /** Run ids, oldest first when the store knows the order. */
  list(): Promise<string[]>;
  /** Releases what the store holds for a run (file handles). Appending again reopens. */
  close?(runId: string): Promise<void>;
}

export class MemoryJournalStore implements JournalStore {
  readonly #runs = new Map<string, RunEvent[]>();

  appendSync(runId: string, event: RunEvent): void {
    let list = this.#runs.get(runId);
    if (!list) {
      list = [];
      this.#runs.set(runId, list);
    }
    list.push(event);
  }

  async append(runId: string, events: readonly RunEvent[]): Promise<void> {
    for (const e of events) this.appendSync(runId, e);
  }

  async read(runId: string): Promise<RunEvent[]> {
    // A copy: callers must not see later appends or change the store.
    return structuredClone(this.#runs.get(runId) ?? []);
  }

  async list(): Promise<string[]> {
    return [...this.#runs.keys()];
  }
}
