import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/exec/events.ts';
import { MemoryJournalStore } from '../../src/exec/journal-store.ts';
import { journalConformance } from '../../src/testing/journal-conformance.ts';

/** Runs the suite outside any framework, collecting each test's outcome by title. */
async function outcomes(make: () => MemoryJournalStore): Promise<Map<string, unknown>> {
  const bodies: Array<[string, () => Promise<void>]> = [];
  journalConformance('probe', {
    describe: (_name, body) => body(),
    it: (title, body) => bodies.push([title, body]),
    make,
  });
  const out = new Map<string, unknown>();
  for (const [title, body] of bodies)
    out.set(
      title,
      await body().then(
        () => undefined,
        (e) => e,
      ),
    );
  return out;
}

/** A store that breaks the contract the way the old stores did: no seq check, no exclusion. */
class NaiveStore extends MemoryJournalStore {
  readonly #events = new Map<string, RunEvent[]>();
  override appendSync(runId: string, event: RunEvent): void {
    this.#events.set(runId, [...(this.#events.get(runId) ?? []), event]);
  }
  override async append(runId: string, events: readonly RunEvent[]): Promise<void> {
    for (const e of events) this.appendSync(runId, e);
  }
  override async read(runId: string): Promise<RunEvent[]> {
    return structuredClone(this.#events.get(runId) ?? []);
  }
  override async list(): Promise<string[]> {
    return [...this.#events.keys()];
  }
  override async acquireLease(...args: Parameters<MemoryJournalStore['acquireLease']>) {
    const [runId, holder, options] = args;
    return { runId, holder, token: 1, expiresAt: Date.now() + options.ttlMs };
  }
}

describe('the conformance suite itself', () => {
  it('passes the memory store', async () => {
    const failed = [...(await outcomes(() => new MemoryJournalStore()))].filter(([, e]) => e);
    expect(failed).toEqual([]);
  });

  it('fails a store that skips the seq check and lets two holders in', async () => {
    const got = await outcomes(() => new NaiveStore());
    const failed = [...got].filter(([, e]) => e).map(([t]) => t);
    expect(failed).toEqual(
      expect.arrayContaining([
        'refuses an append whose seq does not continue the journal, and stores none of it',
        'two writers racing on one run: each seq is stored once, the loser is refused',
        'a lease excludes a second holder, and the error names the first',
        'many clients racing for one lease: exactly one wins',
      ]),
    );
    expect(got.get('keeps events in append order, per run, across appends')).toBeUndefined();
  });
});
