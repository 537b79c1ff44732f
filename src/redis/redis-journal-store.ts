import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { RunEvent } from '../exec/events.ts';
import { decodeEvent, encodeEvent } from '../exec/journal-codec.ts';
import { JournalSequenceError, LeaseLostError, RunLeasedError } from '../exec/journal-errors.ts';
import {
  type AppendOptions,
  checkTtl,
  type LeaseHolder,
  type LeaseOptions,
  pidAlive,
  type RunLease,
} from '../exec/journal-lease.ts';
import type { JournalStore } from '../exec/journal-store.ts';
import { ACQUIRE, APPEND, RELEASE, RENEW } from './journal-scripts.ts';
import { checkRunId, RedisKeys } from './redis-keys.ts';

type Scripted = Redis & {
  toolplanAppend(events: string, lease: string, fence: string, ...argv: string[]): Promise<number>;
  toolplanAcquire(
    lease: string,
    fence: string,
    holder: string,
    ttl: number,
    dead: string,
  ): Promise<[number, number, string?]>;
  toolplanRenew(
    lease: string,
    fence: string,
    value: string,
    ttl: number,
    token: string,
  ): Promise<number>;
  toolplanRelease(lease: string, fence: string, value: string): Promise<number>;
};

export interface RedisJournalOptions {
  /** Key prefix, so several toolplan deployments (or tests) can share one Redis. */
  prefix?: string;
}

/**
 * Every run's events in a Redis list, appended by a Lua script that refuses a batch whose
 * first seq is not the list's length (so two writers can never interleave or leave a gap)
 * and, when the run has a live lease, any batch not written under it. The lease is a key
 * with a PX expiry holding `<token>|<holder>`, the token from a per-run counter that only
 * goes up (a fencing token). `append` resolves when Redis has the events; with
 * `appendfsync always` that means on disk (see the README).
 */
export class RedisJournalStore implements JournalStore {
  readonly keys: RedisKeys;
  readonly redis: Redis;
  readonly #r: Scripted;

  constructor(redis: Redis, options: RedisJournalOptions = {}) {
    this.keys = new RedisKeys(options.prefix);
    defineScripts(redis);
    this.redis = redis;
    this.#r = redis as unknown as Scripted;
  }

  async append(runId: string, events: readonly RunEvent[], options?: AppendOptions): Promise<void> {
    if (events.length === 0) return;
    const first = events[0]!.seq;
    for (let i = 1; i < events.length; i++)
      if (events[i]!.seq !== first + i)
        throw new JournalSequenceError(
          runId,
          first,
          events.map((e) => e.seq),
        );
    const k = this.keys;
    // Indexed before the events are: a crash in between lists a run with no events yet.
    if (first === 0) await this.#r.zadd(k.runs(), 'NX', String(Date.now()), runId);
    const lease = options?.lease;
    const argv: string[] = [String(first), lease ? String(lease.token) : ''];
    for (const e of events) argv.push(encodeEvent(e));
    try {
      await this.#r.toolplanAppend(k.events(runId), k.lease(runId), k.fence(runId), ...argv);
    } catch (error) {
      throw translate(runId, events, lease, error);
    }
    await this.#index(runId, events);
  }

  /** Keeps the set of runs a coordinator may have to take over. */
  async #index(runId: string, events: readonly RunEvent[]): Promise<void> {
    let active: boolean | undefined;
    for (const e of events) {
      if (e.type === 'run.started' || e.type === 'run.resumed') active = true;
      else if (e.type === 'run.finished' || e.type === 'run.suspended') active = false;
    }
    if (active === true) await this.#r.sadd(this.keys.active(), runId);
    else if (active === false) await this.#r.srem(this.keys.active(), runId);
  }

  async read(runId: string): Promise<RunEvent[]> {
    const raw = await this.#r.lrange(this.keys.events(runId), 0, -1);
    return raw.map((s) => decodeEvent(s));
  }

  async list(): Promise<string[]> {
    return this.#r.zrange(this.keys.runs(), '0', '-1');
  }

  /** Runs started or resumed and not finished or suspended: someone must be running them. */
  async activeRuns(): Promise<string[]> {
    return this.#r.smembers(this.keys.active());
  }

  /** Takes a run out of the active set (it was found finished). */
  async deactivate(runId: string): Promise<void> {
    await this.#r.srem(this.keys.active(), runId);
  }

  async acquireLease(runId: string, holder: LeaseHolder, options: LeaseOptions): Promise<RunLease> {
    const ttl = checkTtl(options);
    const k = this.keys;
    checkRunId(runId);
    const json = JSON.stringify(holder);
    let dead = '';
    for (let round = 0; round < 2; round++) {
      const [token, pttl, held] = await this.#r.toolplanAcquire(
        k.lease(runId),
        k.fence(runId),
        json,
        ttl,
        dead,
      );
      if (token >= 0) return { runId, holder: { ...holder }, token, expiresAt: Date.now() + ttl };
      const current = parseLease(runId, held!, pttl);
      // A holder that ran on this host and is gone frees the run at once, not after its TTL.
      if (round > 0 || !holderDead(current.holder)) {
        throw new RunLeasedError(runId, current.holder, current.expiresAt);
      }
      dead = held!;
    }
    throw new Error('unreachable');
  }

  async renewLease(lease: RunLease, options: LeaseOptions): Promise<RunLease> {
    const ttl = checkTtl(options);
    const ok = await this.#r.toolplanRenew(
      this.keys.lease(lease.runId),
      this.keys.fence(lease.runId),
      leaseValue(lease),
      ttl,
      String(lease.token),
    );
    if (ok !== 1) throw new LeaseLostError(lease.runId, lease.token);
    return { ...lease, expiresAt: Date.now() + ttl };
  }

  async releaseLease(lease: RunLease): Promise<void> {
    await this.#r.toolplanRelease(
      this.keys.lease(lease.runId),
      this.keys.fence(lease.runId),
      leaseValue(lease),
    );
  }

  async currentLease(runId: string): Promise<RunLease | undefined> {
    const k = this.keys;
    const [value, pttl] = await Promise.all([
      this.#r.get(k.lease(runId)),
      this.#r.pttl(k.lease(runId)),
    ]);
    if (!value || pttl <= 0) return undefined;
    const lease = parseLease(runId, value, pttl);
    return holderDead(lease.holder) ? undefined : lease;
  }
}

function leaseValue(lease: RunLease): string {
  return `${lease.token}|${JSON.stringify(lease.holder)}`;
}

function parseLease(runId: string, value: string, pttl: number): RunLease {
  const bar = value.indexOf('|');
  let holder: LeaseHolder;
  try {
    holder = JSON.parse(value.slice(bar + 1)) as LeaseHolder;
  } catch {
    holder = { owner: value.slice(bar + 1) };
  }
  return {
    runId,
    holder,
    token: Number(value.slice(0, bar)),
    expiresAt: Date.now() + Math.max(0, pttl),
  };
}

function holderDead(h: LeaseHolder): boolean {
  return h.pid !== undefined && h.host === hostname() && !pidAlive(h.pid);
}

function defineScripts(redis: Redis): void {
  if ((redis as unknown as Partial<Scripted>).toolplanAppend) return;
  redis.defineCommand('toolplanAppend', { numberOfKeys: 3, lua: APPEND });
  redis.defineCommand('toolplanAcquire', { numberOfKeys: 2, lua: ACQUIRE });
  redis.defineCommand('toolplanRenew', { numberOfKeys: 2, lua: RENEW });
  redis.defineCommand('toolplanRelease', { numberOfKeys: 2, lua: RELEASE });
}

function translate(
  runId: string,
  events: readonly RunEvent[],
  lease: RunLease | undefined,
  error: unknown,
): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith('STALE_LEASE')) {
    const holder = message.slice('STALE_LEASE '.length);
    return new LeaseLostError(
      runId,
      lease?.token ?? 0,
      lease
        ? `the run's lease is now ${holder}`
        : `the run is leased (${holder}) and this append carried no lease`,
    );
  }
  if (message.startsWith('SEQ_CONFLICT')) {
    const next = Number(message.slice('SEQ_CONFLICT '.length));
    return new JournalSequenceError(
      runId,
      next,
      events.map((e) => e.seq),
    );
  }
  return error;
}
