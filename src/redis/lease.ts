import { ToolplanError } from '../errors/toolplan-error.ts';
import type { RunEvent } from '../exec/events.ts';
import type { JournalStore } from '../exec/journal-store.ts';

/**
 * A run's lease: who may append to its journal until when. `token` is a fencing token,
 * strictly increasing per run across every holder: a store checks it on every append, so a
 * holder that paused past its expiry (GC, a stopped VM) and came back cannot write over the
 * new owner's events.
 */
export interface Lease {
  runId: string;
  owner: string;
  token: number;
  /** Wall-clock ms, as the holder saw it when it got or renewed the lease. */
  expiresAt: number;
}

/** A journal store that can lease runs (the names the journal contract uses). */
export interface LeasingJournalStore extends JournalStore {
  /** The lease, or undefined while another owner holds a live one. */
  acquireLease(runId: string, owner: string, ttlMs: number): Promise<Lease | undefined>;
  /** The renewed lease, or undefined when it was lost (expired and taken, or released). */
  renewLease(lease: Lease, ttlMs: number): Promise<Lease | undefined>;
  releaseLease(lease: Lease): Promise<void>;
  /** With a lease: rejected with StaleLeaseError unless it is the run's live lease. */
  append(runId: string, events: readonly RunEvent[], lease?: Lease): Promise<void>;
}

/** An append under a lease that is no longer the run's: another owner has the run. */
export class StaleLeaseError extends ToolplanError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('StaleLease', message, {
      code: 'stale_lease',
      blame: 'internal',
      retryable: false,
      details,
    });
  }
}

/** An append whose first seq is not the journal's next one: a second writer, or a gap. */
export class SeqConflictError extends ToolplanError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('SeqConflict', message, {
      code: 'seq_conflict',
      blame: 'internal',
      retryable: false,
      details,
    });
  }
}

/** Throws SeqConflictError unless the batch's seqs run on by one from the first. */
export function checkContiguous(runId: string, events: readonly RunEvent[]): void {
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.seq !== events[0]!.seq + i) {
      throw new SeqConflictError(
        `run ${runId}: events must be appended with consecutive seq numbers; got ${events[i - 1]!.seq} then ${events[i]!.seq}`,
        { runId, seq: events[i]!.seq },
      );
    }
  }
}
