import { ToolplanError } from '../errors/toolplan-error.ts';
import type { LeaseHolder } from './journal-lease.ts';

function describeHolder(h: LeaseHolder): string {
  const who = h.pid === undefined ? h.owner : `pid ${h.pid}`;
  return h.host === undefined ? who : `${who} on host ${h.host}`;
}

/** Another live writer holds the run's lease: exec/resume must not touch the run. */
export class RunLeasedError extends ToolplanError {
  readonly holder: LeaseHolder;
  constructor(runId: string, holder: LeaseHolder, expiresAt: number) {
    super(
      'RunLeased',
      `run ${runId} is being resumed by ${describeHolder(holder)} (${holder.owner}); wait for it to end, or stop that process (its lease expires at ${new Date(expiresAt).toISOString()} if it hangs)`,
      {
        code: 'run_leased',
        blame: 'config',
        retryable: true,
        details: { runId, holder: { ...holder }, expiresAt },
      },
    );
    this.holder = holder;
  }
}

/** The caller's lease was taken over (it expired, or its holder looked dead): stop writing. */
export class LeaseLostError extends ToolplanError {
  constructor(runId: string, token: number, message = '') {
    super(
      'LeaseLost',
      `lost the lease on run ${runId} (token ${token})${message ? `: ${message}` : ''}; another writer took it over, so this process stopped writing to the journal`,
      { code: 'lease_lost', blame: 'config', retryable: false, details: { runId, token } },
    );
  }
}

/** An append whose seq numbers do not continue the journal: a second writer, or a bug. */
export class JournalSequenceError extends ToolplanError {
  constructor(runId: string, expected: number, got: number[]) {
    super(
      'JournalConflict',
      `journal of run ${runId} expects seq ${expected} next, but the append carries seq ${got
        .slice(0, 5)
        .join(
          ', ',
        )}${got.length > 5 ? ', ...' : ''}: another writer appended to this run, or the batch is not contiguous`,
      {
        code: 'seq_conflict',
        blame: 'internal',
        retryable: false,
        details: { runId, expected, got: got.slice(0, 20) },
      },
    );
  }
}

/** A journal that cannot be read safely: a damaged line that is not a torn last write. */
export class JournalCorruptError extends ToolplanError {
  constructor(message: string, details: Record<string, unknown>) {
    super('JournalCorrupt', message, {
      code: 'journal_corrupt',
      blame: 'config',
      retryable: false,
      details,
    });
  }
}

/** A journal written by a newer toolplan, in a format this one does not know. */
export class JournalVersionError extends ToolplanError {
  constructor(runId: string, found: number, supported: number) {
    super(
      'JournalVersion',
      `run ${runId} was journaled in format ${found} by a newer toolplan; this one reads format ${supported} and older: resume it with the toolplan that wrote it, or upgrade`,
      {
        code: 'journal_version',
        blame: 'config',
        retryable: false,
        details: { runId, found, supported },
      },
    );
  }
}
