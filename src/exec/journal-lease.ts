import { hostname } from 'node:os';

/** Who holds a run's lease: enough to name it in an error and to tell a dead holder. */
export interface LeaseHolder {
  /** A free-form label, e.g. `toolplan resume`. */
  owner: string;
  pid?: number;
  host?: string;
}

/**
 * The right to write one run's journal. `token` is a fencing token: strictly increasing per
 * run, so a store can refuse a writer whose lease was taken over while it was paused.
 */
export interface RunLease {
  runId: string;
  holder: LeaseHolder;
  token: number;
  /** Milliseconds since the epoch; the lease is free after this unless renewed. */
  expiresAt: number;
}

export interface LeaseOptions {
  ttlMs: number;
}

export interface AppendOptions {
  /** When given, the store refuses the append (LeaseLostError) unless this is the current lease. */
  lease?: RunLease;
}

/** This process, as a lease holder. */
export function thisProcess(owner: string): LeaseHolder {
  return { owner, pid: process.pid, host: hostname() };
}

/** Whether a process with this pid exists on this host (EPERM: it exists, not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a recorded lease still excludes others: not released, not expired, and, when its
 * holder ran on this host, its process is still alive (a crash frees the lease at once
 * instead of after the TTL).
 */
export function leaseIsLive(
  lease: RunLease & { released?: boolean },
  now: number = Date.now(),
  isAlive: (pid: number) => boolean = pidAlive,
  host: string = hostname(),
): boolean {
  if (lease.released) return false;
  if (lease.expiresAt <= now) return false;
  const h = lease.holder;
  if (h.pid !== undefined && h.host === host && !isAlive(h.pid)) return false;
  return true;
}

export function checkTtl(options: LeaseOptions): number {
  const ttl = options?.ttlMs;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0)
    throw new TypeError(
      `lease ttlMs must be a positive number of milliseconds, got ${String(ttl)}`,
    );
  return ttl;
}
