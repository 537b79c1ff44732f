import type { RunEvent } from './events.ts';
import { JournalSequenceError, LeaseLostError, RunLeasedError } from './journal-errors.ts';
import {
  type AppendOptions,
  checkTtl,
  type LeaseHolder,
  type LeaseOptions,
  leaseIsLive,
  type RunLease,
} from './journal-lease.ts';

export type { AppendOptions, LeaseHolder, LeaseOptions, RunLease } from './journal-lease.ts';

/**
 * Where a run's events are kept. Appends are ordered per run; `append` resolves once the
 * events are durable in the store's sense (for the file store: handed to the OS, which
 * survives the process being killed). Every store passes the conformance suite in
 * `src/testing/journal-conformance.ts` (`toolplan/testing`).
 *
 * The contract, whatever the backend:
 * - seq is monotonic: an append whose first event's seq is not the last stored seq + 1 (0 for
 *   a new run), or whose events are not contiguous, rejects with `JournalSequenceError`
 *   (`seq_conflict`) and stores nothing, whoever the caller is;
 * - one writer per run: `acquireLease` gives one holder at a time the run, with a fencing
 *   token strictly increasing per run; while that lease is live another acquire rejects with
 *   `RunLeasedError` (`run_leased`) naming the holder; an expired lease, or one whose holder
 *   ran on this host and is dead, is taken over with a higher token;
 * - fencing: an append (or renew) with a lease that is no longer the run's current one
 *   rejects with `LeaseLostError` (`lease_lost`).
 */
export interface JournalStore {
  append(runId: string, events: readonly RunEvent[], options?: AppendOptions): Promise<void>;
  /**
   * Optional fast path: a store that can take an event synchronously and durably (memory)
   * lets the executor skip batching. Same checks as `append`; throws instead of rejecting.
   */
  appendSync?(runId: string, event: RunEvent, options?: AppendOptions): void;
  /**
   * Optional group-commit path: writes a batch synchronously and durably in the store's sense
   * (the file store: one write(2), so the OS has it). The executor then queues the events of
   * one turn and writes them in one call right before it acts on them.
   */
  appendBatchSync?(runId: string, events: readonly RunEvent[], options?: AppendOptions): void;
  /** Every readable event of a run, in order; [] when the run is unknown. */
  read(runId: string): Promise<RunEvent[]>;
  /** Run ids, oldest first when the store knows the order. */
  list(): Promise<string[]>;
  /** Releases what the store holds for a run (file handles). Appending again reopens. */
  close?(runId: string): Promise<void>;
  acquireLease(runId: string, holder: LeaseHolder, options: LeaseOptions): Promise<RunLease>;
  /** Extends a lease that is still current; `LeaseLostError` when it was taken over. */
  renewLease(lease: RunLease, options: LeaseOptions): Promise<RunLease>;
  /** Frees the run; a no-op when the lease is no longer current. */
  releaseLease(lease: RunLease): Promise<void>;
  /** The run's live lease, if a writer holds one now (for `toolplan runs`). */
  currentLease(runId: string): Promise<RunLease | undefined>;
}

/** Checks a batch continues a journal whose last seq is `last` (-1 when empty). */
export function checkSequence(runId: string, last: number, events: readonly RunEvent[]): void {
  for (let i = 0; i < events.length; i++) {
    if (events[i]!.seq !== last + 1 + i)
      throw new JournalSequenceError(
        runId,
        last + 1,
        events.map((e) => e.seq),
      );
  }
}

interface LeaseSlot {
  token: number;
  lease?: RunLease & { released?: boolean };
}

export class MemoryJournalStore implements JournalStore {
  readonly #runs = new Map<string, RunEvent[]>();
  readonly #leases = new Map<string, LeaseSlot>();

  appendSync(runId: string, event: RunEvent, options?: AppendOptions): void {
    if (options?.lease) this.#fence(options.lease);
    let list = this.#runs.get(runId);
    const last = list ? list[list.length - 1]!.seq : -1;
    if (event.seq !== last + 1) throw new JournalSequenceError(runId, last + 1, [event.seq]);
    if (!list) {
      list = [];
      this.#runs.set(runId, list);
    }
    list.push(event);
  }

  async append(runId: string, events: readonly RunEvent[], options?: AppendOptions): Promise<void> {
    if (options?.lease) this.#fence(options.lease);
    const list = this.#runs.get(runId);
    checkSequence(runId, list ? list[list.length - 1]!.seq : -1, events);
    for (const e of events) this.appendSync(runId, e);
  }

  async read(runId: string): Promise<RunEvent[]> {
    // A copy: callers must not see later appends or change the store.
    return structuredClone(this.#runs.get(runId) ?? []);
  }

  async list(): Promise<string[]> {
    return [...this.#runs.keys()];
  }

  async acquireLease(runId: string, holder: LeaseHolder, options: LeaseOptions): Promise<RunLease> {
    const ttl = checkTtl(options);
    const slot = this.#leases.get(runId) ?? { token: 0 };
    if (slot.lease && leaseIsLive(slot.lease))
      throw new RunLeasedError(runId, slot.lease.holder, slot.lease.expiresAt);
    slot.token += 1;
    const lease = { runId, holder: { ...holder }, token: slot.token, expiresAt: Date.now() + ttl };
    slot.lease = { ...lease };
    this.#leases.set(runId, slot);
    return lease;
  }

  async renewLease(lease: RunLease, options: LeaseOptions): Promise<RunLease> {
    const ttl = checkTtl(options);
    const current = this.#fence(lease);
    current.expiresAt = Date.now() + ttl;
    return { ...lease, expiresAt: current.expiresAt };
  }

  async releaseLease(lease: RunLease): Promise<void> {
    const current = this.#leases.get(lease.runId)?.lease;
    if (current && current.token === lease.token) current.released = true;
  }

  async currentLease(runId: string): Promise<RunLease | undefined> {
    const current = this.#leases.get(runId)?.lease;
    if (!current || !leaseIsLive(current)) return undefined;
    const { released: _, ...lease } = current;
    return structuredClone(lease);
  }

  #fence(lease: RunLease): RunLease & { released?: boolean } {
    const current = this.#leases.get(lease.runId)?.lease;
    if (!current || current.token !== lease.token || current.released)
      throw new LeaseLostError(lease.runId, lease.token);
    return current;
  }
}
