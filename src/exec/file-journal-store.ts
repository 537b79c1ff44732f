import { mkdirSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors/runtime-errors.ts';
import type { RunEvent } from './events.ts';
import type { JournalStore } from './journal-store.ts';

export const DEFAULT_JOURNAL_DIR = '.toolplan/runs';
const RUN_ID = /^[A-Za-z0-9_.-]{1,128}$/;

export interface FileJournalOptions {
  /**
   * fsync after each batch. Off by default: a write() that returned is in the kernel and
   * survives the process being killed (SIGKILL, crash); only a power loss or kernel panic
   * can lose it, and paying an fsync per batch (milliseconds on most disks) is not worth
   * that for tool runs. Turn it on when the machine itself may die.
   */
  fsync?: boolean;
}

/**
 * The embedded default: one append-only JSON-lines file per run, `<dir>/<runId>.jsonl`.
 * No server, no native module. A torn last line (the process died mid-write) is ignored
 * on read and cut off before the next append, so the file stays valid JSON lines.
 */
export class FileJournalStore implements JournalStore {
  readonly dir: string;
  readonly #fsync: boolean;
  readonly #handles = new Map<string, Promise<FileHandle>>();

  constructor(dir: string = DEFAULT_JOURNAL_DIR, options: FileJournalOptions = {}) {
    this.dir = dir;
    this.#fsync = options.fsync ?? false;
  }

  path(runId: string): string {
    if (!RUN_ID.test(runId)) {
      throw new ConfigError(
        'bad_run_id',
        `run id ${JSON.stringify(runId)} must match ${RUN_ID} (it names a file)`,
      );
    }
    return join(this.dir, `${runId}.jsonl`);
  }

  async append(runId: string, events: readonly RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    const fh = await this.#handle(runId);
    let text = '';
    for (const e of events) text += `${JSON.stringify(e)}\n`;
    await fh.write(text);
    if (this.#fsync) await fh.datasync();
  }

  #handle(runId: string): Promise<FileHandle> {
    let h = this.#handles.get(runId);
    if (!h) {
      h = this.#openForAppend(runId);
      this.#handles.set(runId, h);
      h.catch(() => this.#handles.delete(runId));
    }
    return h;
  }

  async #openForAppend(runId: string): Promise<FileHandle> {
    const file = this.path(runId);
    mkdirSync(this.dir, { recursive: true });
    const fh = await open(file, 'a+');
    const { size } = await fh.stat();
    if (size > 0) {
      // Find the end of the last complete line; drop anything after it (a torn write).
      const tail = Math.min(size, 1 << 16);
      let end = -1;
      let pos = size;
      while (end < 0 && pos > 0) {
        const start = Math.max(0, pos - tail);
        const buf = Buffer.alloc(pos - start);
        await fh.read(buf, 0, buf.length, start);
        const nl = buf.lastIndexOf(10);
        if (nl >= 0) end = start + nl + 1;
        pos = start;
      }
      const keep = Math.max(end, 0);
      if (keep !== size) await fh.truncate(keep);
    }
    return fh;
  }

  async read(runId: string): Promise<RunEvent[]> {
    let text: string;
    try {
      text = await readFile(this.path(runId), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const lines = text.split('\n');
    // The last element is '' after a complete final line, or a torn write: never an event.
    lines.pop();
    const events: RunEvent[] = [];
    for (const line of lines) {
      if (line.length === 0) continue;
      try {
        events.push(JSON.parse(line) as RunEvent);
      } catch {
        // A corrupt line can only be a torn write that a later append re-terminated.
      }
    }
    return events;
  }

  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const runs = names.filter((n) => n.endsWith('.jsonl'));
    const withTimes = await Promise.all(
      runs.map(async (n) => ({ id: n.slice(0, -6), t: (await stat(join(this.dir, n))).mtimeMs })),
    );
    return withTimes.sort((a, b) => a.t - b.t).map((r) => r.id);
  }

  async close(runId: string): Promise<void> {
    const h = this.#handles.get(runId);
    if (!h) return;
    this.#handles.delete(runId);
    await (await h).close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#handles.keys()].map((id) => this.close(id)));
  }
}
