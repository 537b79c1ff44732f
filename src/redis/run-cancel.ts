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
