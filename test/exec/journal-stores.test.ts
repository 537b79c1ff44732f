import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RunEvent } from '../../src/exec/events.ts';
import { executePlan } from '../../src/exec/execute-plan.ts';
import { FileJournalStore } from '../../src/exec/file-journal-store.ts';
import { JournalCorruptError, JournalSequenceError } from '../../src/exec/journal-errors.ts';
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

describe('FileJournalStore: only a torn last line is tolerated', () => {
  const write = (dir: string, lines: string[]) =>
    writeFileSync(join(dir, 'r.jsonl'), lines.map((l) => `${l}\n`).join(''));
  const line = (seq: number) => JSON.stringify(ev(seq));

  it('a damaged middle line refuses the read, naming the file, the line and what to do', async () => {
    const dir = tmp();
    write(dir, [line(0), '{"type":"run.res#', line(2)]);
    const error = await new FileJournalStore(dir).read('r').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalCorruptError);
    expect((error as JournalCorruptError).code).toBe('journal_corrupt');
    expect((error as Error).message).toContain(join(dir, 'r.jsonl'));
    expect((error as Error).message).toMatch(/line 2 .*head -n 1/);
    expect((error as JournalCorruptError).details).toMatchObject({ line: 2 });
  });

  it('a damaged last complete line is damage too, not a torn write', async () => {
    const dir = tmp();
    write(dir, [line(0), 'garbage']);
    await expect(new FileJournalStore(dir).read('r')).rejects.toThrow(/line 2/);
    await expect(new FileJournalStore(dir).append('r', [ev(1)])).rejects.toBeInstanceOf(
      JournalCorruptError,
    );
  });

  it('duplicate or missing seqs (two writers before leases) refuse the read', async () => {
    const dir = tmp();
    write(dir, [line(0), line(1), line(1)]);
    await expect(new FileJournalStore(dir).read('r')).rejects.toThrow(/line 3 .*seq 1 where 2/);
    write(dir, [line(0), line(2)]);
    await expect(new FileJournalStore(dir).read('r')).rejects.toThrow(/line 2/);
  });

  it('an append sees what another writer added since and refuses to repeat its seq', async () => {
    const dir = tmp();
    const a = new FileJournalStore(dir);
    await a.append('r', [ev(0)]);
    appendFileSync(join(dir, 'r.jsonl'), `${line(1)}\n`);
    await expect(a.append('r', [ev(1)])).rejects.toBeInstanceOf(JournalSequenceError);
    await a.append('r', [ev(2)]);
    await a.close('r');
    expect((await a.read('r')).map((e) => e.seq)).toEqual([0, 1, 2]);
  });
});

describe('FileJournalStore with the executor: journaled before acted on', () => {
  it('a tool, when called, finds its start event in the file; fan-out and chain alike', async () => {
    const dir = tmp();
    const store = new FileJournalStore(dir);
    const seen: string[] = [];
    const probe = {
      name: 'probe',
      description: 'reads the journal file',
      inputSchema: z.object({ n: z.string() }),
      execute: ({ n }: { n: string }) => {
        const text = readFileSync(join(dir, 'run.jsonl'), 'utf8');
        if (text.includes(`"key":"${n}"`)) seen.push(n);
        return { n };
      },
    };
    const nodes = [
      ...['f1', 'f2', 'f3'].map((id) => ({ id, call: 'probe', args: { n: id } })),
      { id: 'c1', call: 'probe', args: { n: 'c1' }, after: ['f1', 'f2', 'f3'] },
      { id: 'c2', call: 'probe', args: { n: 'c2' }, after: ['c1'] },
    ];
    const r = await executePlan({ version: 1, nodes }, { tools: [probe], store, runId: 'run' });
    expect(r.status).toBe('succeeded');
    expect(seen.sort()).toEqual(['c1', 'c2', 'f1', 'f2', 'f3']);
    expect((await store.read('run')).at(-1)).toMatchObject({ type: 'run.finished' });
  });
});
