import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { LeaseLostError, RunLeasedError } from './journal-errors.ts';
import {
  checkTtl,
  type LeaseHolder,
  type LeaseOptions,
  leaseIsLive,
  type RunLease,
} from './journal-lease.ts';

type Recorded = RunLease & { released?: boolean };
const TOKEN_FILE = /^(\d+)\.json$/;

/**
 * Leases as files beside the journal: `<dir>/<runId>.lease/<token>.json`, one per lease
 * ever granted (a few bytes each, one per exec or resume). Granting token T+1 is creating that file with a
 * hard link, which fails if it exists, so of two processes racing for a run exactly one
 * wins. The current lease is the highest token; a writer is fenced by checking that no
 * T+1 exists, one stat per batch; so no token file is ever removed (a holder paused for
 * long would otherwise find its T+1 gone and write again), and release only marks it.
 */
export class FileLeases {
  readonly #dir: string;
  /** Leases this process released: appending with them again is a lost lease. */
  readonly #released = new Set<string>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  #runDir(runId: string): string {
    return join(this.#dir, `${runId}.lease`);
  }

  #top(runId: string): { token: number; lease?: Recorded } {
    let names: string[];
    try {
      names = readdirSync(this.#runDir(runId));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { token: 0 };
      throw error;
    }
    let token = 0;
    for (const n of names) {
      const m = TOKEN_FILE.exec(n);
      if (m) token = Math.max(token, Number(m[1]));
    }
    if (token === 0) return { token };
    try {
      const lease = JSON.parse(
        readFileSync(join(this.#runDir(runId), `${token}.json`), 'utf8'),
      ) as Recorded;
      return { token, lease };
    } catch {
      // Unreadable (removed meanwhile, or damaged by hand): it excludes nobody.
      return { token };
    }
  }

  acquire(runId: string, holder: LeaseHolder, options: LeaseOptions): RunLease {
    const ttl = checkTtl(options);
    mkdirSync(this.#runDir(runId), { recursive: true });
    for (;;) {
      const top = this.#top(runId);
      if (top.lease && leaseIsLive(top.lease))
        throw new RunLeasedError(runId, top.lease.holder, top.lease.expiresAt);
      const lease: RunLease = {
        runId,
        holder: { ...holder },
        token: top.token + 1,
        expiresAt: Date.now() + ttl,
      };
      if (this.#createExclusive(runId, lease)) return lease;
      // Another process took token T+1 first: look again (it is live, so this throws).
    }
  }

  #createExclusive(runId: string, lease: RunLease): boolean {
    const target = join(this.#runDir(runId), `${lease.token}.json`);
    const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, JSON.stringify(lease));
    try {
      linkSync(tmp, target);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
      // No hard links on this file system: exclusive create, then write.
      return createWithO_EXCL(target, JSON.stringify(lease));
    } finally {
      rmQuiet(tmp);
    }
  }

  /** Throws LeaseLostError unless `lease` is the run's current lease. */
  fence(lease: RunLease): void {
    if (
      this.#released.has(`${lease.runId}\n${lease.token}`) ||
      existsSync(join(this.#runDir(lease.runId), `${lease.token + 1}.json`))
    )
      throw new LeaseLostError(lease.runId, lease.token);
  }

  renew(lease: RunLease, options: LeaseOptions): RunLease {
    const ttl = checkTtl(options);
    this.fence(lease);
    const next = { ...lease, expiresAt: Date.now() + ttl };
    this.#rewrite(next);
    // A taker may have granted T+1 between the check and the rewrite: then it is lost.
    this.fence(lease);
    return next;
  }

  release(lease: RunLease): void {
    try {
      this.fence(lease);
    } catch {
      return;
    }
    this.#released.add(`${lease.runId}\n${lease.token}`);
    this.#rewrite({ ...lease, released: true });
  }

  current(runId: string): RunLease | undefined {
    const { lease } = this.#top(runId);
    if (!lease || !leaseIsLive(lease)) return undefined;
    const { released: _, ...live } = lease;
    return live;
  }

  #rewrite(lease: Recorded): void {
    const target = join(this.#runDir(lease.runId), `${lease.token}.json`);
    const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, JSON.stringify(lease));
    renameSync(tmp, target);
  }
}

function createWithO_EXCL(target: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(target, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

function rmQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
