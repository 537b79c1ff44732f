import type { SummaryT } from './schemas.ts';

/** A change to a run's or a task's list entry, numbered for SSE. */
export interface Change {
  seq: number;
  summary: SummaryT;
}

/**
 * Summary changes of every run and task, for the live list (`GET /v1/events`). Not
 * journaled: a client reads the list, then follows; a missed change is healed by the next.
 */
export class Changes {
  readonly #listeners = new Set<(c: Change) => void>();
  #seq = 0;

  publish(summary: SummaryT): void {
    const change = { seq: this.#seq++, summary };
    for (const l of this.#listeners) {
      try {
        l(change);
      } catch {
        // One client's broken stream must not stop the others.
      }
    }
  }

  subscribe(listener: (c: Change) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
