import { JOURNAL_FORMAT, type RunEvent } from './events.ts';
import { JournalVersionError } from './journal-errors.ts';

/** Refuses a journal that a newer toolplan wrote to (JournalVersionError); pure. */
export function checkJournalFormat(runId: string, events: readonly RunEvent[]): void {
  for (const e of events) {
    if (e.type !== 'run.started' && e.type !== 'run.resumed') continue;
    const v = e.v ?? 1;
    if (typeof v !== 'number' || !(v <= JOURNAL_FORMAT))
      throw new JournalVersionError(runId, Number(v), JOURNAL_FORMAT);
  }
}
