import { Redis } from 'ioredis';
import { ConfigError } from '../errors/runtime-errors.ts';

/**
 * One ioredis connection for toolplan. `maxRetriesPerRequest: null` (BullMQ requires it on
 * workers, and toolplan wants it everywhere): a command issued while Redis is restarting
 * waits for the reconnection instead of failing the run, so a restart is survived.
 */
export function connectRedis(url: string, name = 'toolplan'): Redis {
  if (!/^rediss?:\/\//.test(url)) {
    throw new ConfigError(
      'bad_redis_url',
      `--redis must be a redis:// or rediss:// URL, got ${JSON.stringify(url)}`,
    );
  }
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    // Back off to at most 1 s between reconnection tries, forever.
    retryStrategy: (times) => Math.min(50 * times, 1000),
  });
  // Errors while reconnecting are expected during a restart; commands wait meanwhile.
  redis.on('error', () => {});
  return redis;
}

/** Closes a connection, whatever its state. */
export async function closeRedis(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
