import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/exec/events.ts';
import { FileJournalStore } from '../../src/exec/file-journal-store.ts';
import { MemoryJournalStore } from '../../src/exec/journal-store.ts';
import { journalConformance } from '../../src/testing/journal-conformance.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'toolplan-journal-'));

journalConformance('memory', { describe, it, make: () => new MemoryJournalStore() });
journalConformance('file', {
  describe,
  it,
  make: () => new FileJournalStore(join(tmp(), 'runs')),
  // Another process's view: a second instance on the same folder, with its own handles.
  peer: (s) => new FileJournalStore(s.dir),
});
journalConformance('file with fsync', {
  describe,
  it,
  make: () => new FileJournalStore(join(tmp(), 'runs'), { fsync: true }),
  peer: (s) => new FileJournalStore(s.dir, { fsync: true }),
});

const ev = (seq: number): RunEvent => ({ type: 'run.resumed', seq, at: seq });

describe('FileJournalStore: torn last line', () => {
  it('ignores a torn last line on read, and cuts it off before the next append', async () => {
    const dir = tmp();
    const store = new FileJournalStore(dir);
    await store.append('r', [ev(0), ev(1)]);
    await store.close('r');
    appendFileSync(join(dir, 'r.jsonl'), '{"type":"run.res');
    const fresh = new FileJournalStore(dir);
    expect((await fresh.read('r')).map((e) => e.seq)).toEqual([0, 1]);
    await fresh.append('r', [ev(2)]);
    await fresh.close('r');
    const text = readFileSync(join(dir, 'r.jsonl'), 'utf8');
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).seq),
    ).toEqual([0, 1, 2]);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('handles a file that is only a torn line', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'x.jsonl'), '{"ty');
    const store = new FileJournalStore(dir);
    expect(await store.read('x')).toEqual([]);
    await store.append('x', [ev(0)]);
    await store.close('x');
    expect((await store.read('x')).map((e) => e.seq)).toEqual([0]);
  });

  it('refuses run ids that are not plain file names', () => {
    expect(() => new FileJournalStore(tmp()).path('../etc/passwd')).toThrow(/run id/);
  });
});
