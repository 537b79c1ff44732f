import type { Redis } from 'ioredis';
import type { ApprovalRequest, ApproveFn } from '../exec/run-context.ts';
import { closeRedis, connectRedis } from './redis-connection.ts';
import type { RedisKeys } from './redis-keys.ts';

/**
 * Approvals from any process: a decision is a field of the run's approvals hash (by node id
 * or instance key) and a message on one channel. Whoever owns the run waits in its approve
 * callback, so the run stays owned (and taken over with its wait, if its owner dies).
 */
export class RedisApprovals {
  readonly #keys: RedisKeys;
  readonly #redis: Redis;
  readonly #url: string;
  #subscriber: Redis | undefined;
  readonly #waiters = new Set<() => void>();

  constructor(redis: Redis, url: string, keys: RedisKeys) {
    this.#redis = redis;
    this.#url = url;
    this.#keys = keys;
  }

  async decide(runId: string, name: string, approved: boolean): Promise<void> {
    await this.#redis.hset(this.#keys.approvals(runId), name, approved ? '1' : '0');
    await this.#redis.publish(this.#keys.approvalChannel(), runId);
  }

  /** The decision recorded for a request (by its key first, then its node), if any. */
  async decision(runId: string, key: string, node: string): Promise<boolean | undefined> {
    const [byKey, byNode] = await this.#redis.hmget(this.#keys.approvals(runId), key, node);
    const v = byKey ?? byNode;
    return v === null || v === undefined ? undefined : v === '1';
  }

  /** An approve callback that waits for a decision recorded by any process. */
  approver(onWait?: (req: ApprovalRequest) => void): ApproveFn {
    return async (req) => {
      await this.#subscribe();
      let wake: () => void = () => {};
      const woken = () =>
        new Promise<void>((resolve) => {
          wake = resolve;
        });
      const onMessage = () => wake();
      this.#waiters.add(onMessage);
      try {
        let notified = woken();
        let told = false;
        for (;;) {
          const d = await this.decision(req.runId, req.key, req.node);
          if (d !== undefined) return d;
          if (!told) onWait?.(req);
          told = true;
          // A re-check every few seconds covers a message lost in a reconnection.
          await Promise.race([notified, sleepUnless(3000, req.signal)]);
          if (req.signal.aborted) throw req.signal.reason;
          notified = woken();
        }
      } finally {
        this.#waiters.delete(onMessage);
      }
    };
  }

  async #subscribe(): Promise<Redis> {
    if (this.#subscriber) return this.#subscriber;
    const sub = connectRedis(this.#url, 'toolplan-approvals');
    this.#subscriber = sub;
    sub.on('message', () => {
      for (const w of this.#waiters) w();
    });
    await sub.subscribe(this.#keys.approvalChannel());
    return sub;
  }

  async close(): Promise<void> {
    if (this.#subscriber) await closeRedis(this.#subscriber);
  }
}

function sleepUnless(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
