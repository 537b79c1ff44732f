import type { Redis } from 'ioredis';
import type { RunEvent } from '../exec/events.ts';
import { ACQUIRE, APPEND, RELEASE, RENEW } from './journal-scripts.ts';
import {
  checkContiguous,
  type Lease,
  type LeasingJournalStore,
  SeqConflictError,
  StaleLeaseError,
} from './lease.ts';
import { checkRunId, RedisKeys } from './redis-keys.ts';

type Scripted = Redis & {
  toolplanAppend(
    events: string,
    lease: string,
    fence: string,
    ...argv: (string | number)[]
  ): Promise<number>;
  toolplanAcquire(
    lease: string,
    fence: string,
    owner: string,
    ttl: number,
  ): Promise<[number, number]>;
  toolplanRenew(
    lease: string,
    fence: string,
    value: string,
    ttl: number,
    token: string,
  ): Promise<number>;
  toolplanRelease(lease: string, value: string): Promise<number>;
};

export interface RedisJournalOptions {
  /** Key prefix, so several toolplan deployments can share one Redis. */
  prefix?: string;
}

/**
 * Every run's events in a Redis list, appended by a Lua script that refuses a batch whose
 * first seq is not the list's length (so two writers can never interleave or leave a gap)
 * and, when the run has a live lease, any batch not written under it. `append` resolves when
 * Redis has the events; with `appendfsync always` that means on disk (see the README).
 */
export class RedisJournalStore implements LeasingJournalStore {
  readonly keys: RedisKeys;
  readonly #redis: Scripted;

  constructor(redis: Redis, options: RedisJournalOptions = {}) {
    this.keys = new RedisKeys(options.prefix);
    defineScripts(redis);
    this.#redis = redis as unknown as Scripted;
  }

  async append(runId: string, events: readonly RunEvent[], lease?: Lease): Promise<void> {
    if (events.length === 0) return;
    checkContiguous(runId, events);
    const k = this.keys;
    const first = events[0]!.seq;
    if (first === 0) await this.#redis.zadd(k.runs(), 'NX', String(Date.now()), runId);
    const argv: string[] = [String(first), lease ? String(lease.token) : ''];
    for (const e of events) argv.push(JSON.stringify(e));
    try {
      await this.#redis.toolplanAppend(k.events(runId), k.lease(runId), k.fence(runId), ...argv);
    } catch (error) {
      throw translate(runId, first, lease, error);
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
    if (active === true) await this.#redis.sadd(this.keys.active(), runId);
    else if (active === false) await this.#redis.srem(this.keys.active(), runId);
  }

  async read(runId: string): Promise<RunEvent[]> {
    const raw = await this.#redis.lrange(this.keys.events(runId), 0, -1);
    return raw.map((s) => JSON.parse(s) as RunEvent);
  }

  async list(): Promise<string[]> {
    return this.#redis.zrange(this.keys.runs(), '0', '-1');
  }

  /** Runs started or resumed and not finished or suspended: someone must be running them. */
  async activeRuns(): Promise<string[]> {
    return this.#redis.smembers(this.keys.active());
  }

  /** Takes a run out of the active set (it was found finished). */
  async deactivate(runId: string): Promise<void> {
    await this.#redis.srem(this.keys.active(), runId);
  }

  async acquireLease(runId: string, owner: string, ttlMs: number): Promise<Lease | undefined> {
    const k = this.keys;
    checkRunId(runId);
    const [token] = await this.#redis.toolplanAcquire(k.lease(runId), k.fence(runId), owner, ttlMs);
    if (token < 0) return undefined;
    return { runId, owner, token, expiresAt: Date.now() + ttlMs };
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<Lease | undefined> {
    const ok = await this.#redis.toolplanRenew(
      this.keys.lease(lease.runId),
      this.keys.fence(lease.runId),
      `${lease.token}|${lease.owner}`,
      ttlMs,
      String(lease.token),
    );
    return ok === 1 ? { ...lease, expiresAt: Date.now() + ttlMs } : undefined;
  }

  async releaseLease(lease: Lease): Promise<void> {
    await this.#redis.toolplanRelease(
      this.keys.lease(lease.runId),
      `${lease.token}|${lease.owner}`,
    );
  }

  /** Who holds a run's lease now, if anyone: `{ token, owner }`. */
  async leaseHolder(runId: string): Promise<{ token: number; owner: string } | undefined> {
    const v = await this.#redis.get(this.keys.lease(runId));
    if (!v) return undefined;
    const bar = v.indexOf('|');
    return { token: Number(v.slice(0, bar)), owner: v.slice(bar + 1) };
  }
}

function defineScripts(redis: Redis): void {
  if ((redis as unknown as Partial<Scripted>).toolplanAppend) return;
  redis.defineCommand('toolplanAppend', { numberOfKeys: 3, lua: APPEND });
  redis.defineCommand('toolplanAcquire', { numberOfKeys: 2, lua: ACQUIRE });
  redis.defineCommand('toolplanRenew', { numberOfKeys: 2, lua: RENEW });
  redis.defineCommand('toolplanRelease', { numberOfKeys: 1, lua: RELEASE });
}

function translate(runId: string, seq: number, lease: Lease | undefined, error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith('STALE_LEASE')) {
    const holder = message.slice('STALE_LEASE '.length);
    return new StaleLeaseError(
      `run ${runId}: append refused, ${lease ? `lease token ${lease.token} is no longer the run's` : 'the run is leased by another owner'} (now: ${holder}); another coordinator owns the run`,
      { runId, token: lease?.token, holder },
    );
  }
  if (message.startsWith('SEQ_CONFLICT')) {
    const next = Number(message.slice('SEQ_CONFLICT '.length));
    return new SeqConflictError(
      `run ${runId}: append at seq ${seq} refused, the journal's next seq is ${next}; another writer appended to this run`,
      { runId, seq, next },
    );
  }
  return error;
}
