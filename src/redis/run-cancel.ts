import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.ts';

/**
 * Asks for a run's cancel from any process (a server that does not own it, the CLI): the
 * request waits in Redis under the run's key for its owner, who checks it at every lease
 * renewal, or for whoever takes the run over, who checks it first. Kept until the owner has
 * journaled the run's end, so an owner dying in between leaves it for the next.
 */
export async function requestCancel(
  redis: Redis,
  keys: RedisKeys,
  runId: string,
  reason: string,
): Promise<void> {
  await redis.set(keys.cancelRequest(runId), reason);
}

/**
 * An owner's side of the requests for one run: `check` (at the start and every renewal)
 * aborts the run when one is recorded; `spend` removes it once the run's end is journaled.
 */
export class CancelRequestWatch {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #abort: (reason: Error) => void;
  #seen = false;

  constructor(redis: Redis, keys: RedisKeys, runId: string, abort: (reason: Error) => void) {
    this.#redis = redis;
    this.#key = keys.cancelRequest(runId);
    this.#abort = abort;
  }

  /** Whether a request was found and the run aborted for it. */
  get seen(): boolean {
    return this.#seen;
  }

  async check(): Promise<void> {
    if (this.#seen) return;
    const why = await this.#redis.get(this.#key);
    if (why === null) return;
    this.#seen = true;
    this.#abort(new Error(why));
  }

  spend(): Promise<void> {
    return this.#redis.del(this.#key).then(
      () => {},
      () => {},
    );
  }
}
