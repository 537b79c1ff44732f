import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors/runtime-errors.ts';
import type { RunEvent } from './events.ts';
import { FileLeases } from './file-lease.ts';
import { decodeEvent, encodeEvent } from './journal-codec.ts';
import { JournalCorruptError } from './journal-errors.ts';
import type { AppendOptions, LeaseHolder, LeaseOptions, RunLease } from './journal-lease.ts';
import { checkSequence, type JournalStore } from './journal-store.ts';

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

interface OpenRun {
  fd: number;
  /** Bytes this process knows are in the file: another size means another writer. */
  size: number;
  /** seq of the last event in the file, -1 when empty. */
  last: number;
}

/**
 * The embedded default: one append-only JSON-lines file per run, `<dir>/<runId>.jsonl`,
 * and its leases in `<dir>/<runId>.lease/`. No server, no native module. A torn last line
 * (the process died mid-write) is ignored on read and cut off before the next append; any
 * other damaged line makes the journal unreadable (JournalCorruptError), never skipped.
 *
 * Writes are synchronous `write(2)` calls, one per batch (`appendBatchSync`): when it
 * returns the events are in the OS's hands, which survives the process being killed, so
 * the executor may act on them at once instead of waiting a turn for a thread-pool write.
 */
export class FileJournalStore implements JournalStore {
  readonly dir: string;
  readonly #fsync: boolean;
  readonly #runs = new Map<string, OpenRun>();
  readonly #leases: FileLeases;

  constructor(dir: string = DEFAULT_JOURNAL_DIR, options: FileJournalOptions = {}) {
    this.dir = dir;
    this.#fsync = options.fsync ?? false;
    this.#leases = new FileLeases(dir);
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

  async append(runId: string, events: readonly RunEvent[], options?: AppendOptions): Promise<void> {
    this.appendBatchSync(runId, events, options);
  }

  /** Writes the batch in one write(2); throws as `append` rejects. */
  appendBatchSync(runId: string, events: readonly RunEvent[], options?: AppendOptions): void {
    if (events.length === 0) return;
    if (options?.lease) this.#leases.fence(options.lease);
    const run = this.#open(runId);
    // Another writer appended since our last write if there is a byte at our end offset: a
    // one-byte pread, cheaper than an fstat (no Stats object, no Dates) on the hot path.
    if (readSync(run.fd, PROBE, 0, 1, run.size) !== 0) this.#sync(runId, run);
    checkSequence(runId, run.last, events);
    // Chunks of ~64 KB: a fan-out's batch of thousands of events stays a few short-lived
    // strings instead of one that the GC has to promote.
    let text = '';
    for (const e of events) {
      text += `${encodeEvent(e)}\n`;
      if (text.length >= CHUNK) {
        run.size += writeAll(run.fd, text);
        text = '';
      }
    }
    if (text) run.size += writeAll(run.fd, text);
    run.last = events[events.length - 1]!.seq;
    if (this.#fsync) fdatasyncSync(run.fd);
  }

  #open(runId: string): OpenRun {
    let run = this.#runs.get(runId);
    if (run) return run;
    const file = this.path(runId);
    mkdirSync(this.dir, { recursive: true });
    run = { fd: openSync(file, 'a+'), size: -1, last: -1 };
    try {
      this.#sync(runId, run);
    } catch (error) {
      closeSync(run.fd);
      throw error;
    }
    this.#runs.set(runId, run);
    return run;
  }

  /** Reads the file's end: cuts a torn last line off and learns the last seq. */
  #sync(runId: string, run: OpenRun): void {
    const { size } = fstatSync(run.fd);
    const { end, lastLine } = lastCompleteLine(run.fd, size);
    if (end !== size) ftruncateSync(run.fd, end);
    run.size = end;
    if (lastLine === undefined) {
      run.last = -1;
      return;
    }
    try {
      run.last = decodeEvent(lastLine).seq;
    } catch (error) {
      throw this.#corrupt(runId, undefined, error);
    }
  }

  async read(runId: string): Promise<RunEvent[]> {
    const file = this.path(runId);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const lines = text.split('\n');
    // The last element is '' after a complete final line, or a torn write: never an event.
    lines.pop();
    const events: RunEvent[] = new Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      let e: RunEvent;
      try {
        e = decodeEvent(lines[i]!);
      } catch (error) {
        throw this.#corrupt(runId, i + 1, error);
      }
      if (e.seq !== i)
        throw this.#corrupt(runId, i + 1, new Error(`seq ${e.seq} where ${i} was expected`));
      events[i] = e;
    }
    return events;
  }

  #corrupt(runId: string, line: number | undefined, cause: unknown): JournalCorruptError {
    const file = this.path(runId);
    const where = line === undefined ? 'its last complete line' : `line ${line}`;
    return new JournalCorruptError(
      `journal ${file} is damaged at ${where} (${(cause as Error).message}); toolplan will not guess what happened after it. Restore the file from a backup, or, to resume from the last good event, keep only the lines before it (head -n ${line === undefined ? 'N' : line - 1} ${file}): what ran after it may run again`,
      { runId, file, ...(line === undefined ? {} : { line }) },
    );
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

  async acquireLease(runId: string, holder: LeaseHolder, options: LeaseOptions): Promise<RunLease> {
    this.path(runId);
    return this.#leases.acquire(runId, holder, options);
  }

  async renewLease(lease: RunLease, options: LeaseOptions): Promise<RunLease> {
    return this.#leases.renew(lease, options);
  }

  async releaseLease(lease: RunLease): Promise<void> {
    this.#leases.release(lease);
  }

  async currentLease(runId: string): Promise<RunLease | undefined> {
    this.path(runId);
    return this.#leases.current(runId);
  }

  async close(runId: string): Promise<void> {
    const run = this.#runs.get(runId);
    if (!run) return;
    this.#runs.delete(runId);
    closeSync(run.fd);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#runs.keys()].map((id) => this.close(id)));
  }
}

const CHUNK = 1 << 16;
const PROBE = Buffer.alloc(1);

/** One write(2) for the whole text as a rule; the rest if the OS took less. Returns bytes. */
function writeAll(fd: number, text: string): number {
  const bytes = Buffer.byteLength(text);
  const n = writeSync(fd, text);
  if (n < bytes) {
    const buf = Buffer.from(text);
    for (let off = n; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
  }
  return bytes;
}

/** The end offset of the last complete line (0 if none) and that line's text. */
function lastCompleteLine(fd: number, size: number): { end: number; lastLine?: string } {
  const chunk = 1 << 16;
  let end = -1;
  let pos = size;
  const parts: Buffer[] = [];
  // Find the last newline.
  while (end < 0 && pos > 0) {
    const start = Math.max(0, pos - chunk);
    const buf = Buffer.alloc(pos - start);
    readSync(fd, buf, 0, buf.length, start);
    const nl = buf.lastIndexOf(10);
    if (nl >= 0) {
      end = start + nl + 1;
      parts.unshift(buf.subarray(0, nl));
    }
    pos = start;
  }
  if (end < 0) return { end: 0 };
  // Then the newline before it (the line may be longer than a chunk).
  let line = Buffer.concat(parts);
  let nl = line.lastIndexOf(10);
  while (nl < 0 && pos > 0) {
    const start = Math.max(0, pos - chunk);
    const buf = Buffer.alloc(pos - start);
    readSync(fd, buf, 0, buf.length, start);
    line = Buffer.concat([buf, line]);
    nl = line.lastIndexOf(10);
    pos = start;
  }
  return { end, lastLine: line.subarray(nl + 1).toString('utf8') };
}
