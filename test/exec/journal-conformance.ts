import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/exec/events.ts';
import type { JournalStore } from '../../src/exec/journal-store.ts';

const ev = (seq: number, extra: Partial<RunEvent> = {}): RunEvent =>
  ({
    type: 'node.started',
    key: `n${seq}`,
    node: `n${seq}`,
    kind: 'call',
    seq,
    at: 1000 + seq,
    ...extra,
  }) as RunEvent;

/** One suite every JournalStore passes: call it with a factory of fresh, empty stores. */
export function journalConformance(name: string, make: () => Promise<JournalStore> | JournalStore) {
  describe(`JournalStore conformance: ${name}`, () => {
    // Every store a test made lets go of what it holds (the file store's open handles).
    const made: JournalStore[] = [];
    const fresh = async () => {
      const store = await make();
      made.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of made.splice(0))
        for (const runId of await store.list()) await store.close?.(runId);
    });

    it('reads [] for an unknown run and lists nothing at first', async () => {
      const store = await fresh();
      expect(await store.read('nope')).toEqual([]);
      expect(await store.list()).toEqual([]);
    });

    it('keeps events in append order, per run, across appends', async () => {
      const store = await fresh();
      await store.append('r1', [ev(0), ev(1)]);
      await store.append('r2', [ev(0, { key: 'other' } as Partial<RunEvent>)]);
      await store.append('r1', [ev(2)]);
      expect((await store.read('r1')).map((e) => e.seq)).toEqual([0, 1, 2]);
      expect(await store.read('r2')).toHaveLength(1);
      expect((await store.list()).sort()).toEqual(['r1', 'r2']);
    });

    it('round-trips JSON values exactly (unicode, nesting, null)', async () => {
      const store = await fresh();
      const output = { s: 'é\n"x"\u2028', n: [1, 2.5, null], o: { deep: { t: true } } };
      await store.append('r', [{ type: 'node.succeeded', key: 'k', output, seq: 0, at: 1 }]);
      expect(await store.read('r')).toEqual([
        { type: 'node.succeeded', key: 'k', output, seq: 0, at: 1 },
      ]);
    });

    it('does not let a caller change stored events through what read returned', async () => {
      const store = await fresh();
      await store.append('r', [ev(0)]);
      const got = await store.read('r');
      (got[0] as { key: string }).key = 'changed';
      expect((await store.read('r'))[0]).toMatchObject({ key: 'n0' });
    });

    it('survives concurrent appends to many runs', async () => {
      const store = await fresh();
      await Promise.all(
        Array.from({ length: 20 }, (_, r) =>
          (async () => {
            for (let i = 0; i < 10; i++) await store.append(`run${r}`, [ev(i)]);
          })(),
        ),
      );
      for (let r = 0; r < 20; r++)
        expect((await store.read(`run${r}`)).map((e) => e.seq)).toEqual([
          0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
        ]);
    });
  });
}
