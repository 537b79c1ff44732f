import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../../src/redis/redis-connection.ts';
import { RedisServerProcess } from '../../../src/redis/redis-server-process.ts';

/** A private redis-server for one test file, and connections that the file closes. */
export async function startRedis(): Promise<{
  server: RedisServerProcess;
  connect: () => Redis;
  stop: () => Promise<void>;
}> {
  const server = await RedisServerProcess.start();
  const made: Redis[] = [];
  return {
    server,
    connect: () => {
      const r = connectRedis(server.url, 'toolplan-test');
      made.push(r);
      return r;
    },
    stop: async () => {
      for (const r of made) r.disconnect();
      await server.stop();
    },
  };
}

/** A key prefix of its own, so each store starts empty in a shared server. */
export const freshPrefix = () => `t${randomBytes(4).toString('hex')}`;
