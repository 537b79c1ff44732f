import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteCalls } from '../../src/redis/remote-calls.ts';
import { ToolWorker } from '../../src/redis/tool-worker.ts';
import { ToolRegistry } from '../../src/tool/registry.ts';
import { freshPrefix, startRedis } from './support/redis.ts';

let redis: Awaited<ReturnType<typeof startRedis>>;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => redis?.stop());

describe('a coordinator enqueuing a call again', () => {
  it('gets the finished job’s result from BullMQ’s duplicate notice, without a second call', async () => {
    const prefix = freshPrefix();
    let calls = 0;
    const tools = ToolRegistry.from([
      {
        name: 'count',
        description: 'Counts its calls.',
        inputSchema: { type: 'object' },
        execute: () => ({ n: ++calls }),
      },
    ]);
    const worker = new ToolWorker({ url: redis.server.url, tools, prefix, concurrency: 2 });
    await worker.start();
    const ctx = (signal: AbortSignal) => ({
      signal,
      idempotencyKey: 'rj1/a',
      runId: 'rj1',
      nodeId: 'a',
      attempt: 1,
    });
    // No sweep within the test: only the event path can deliver the result.
    const first = new RemoteCalls(redis.server.url, { prefix, pollMs: 600_000 });
    const signal = new AbortController().signal;
    expect(await first.call('count', undefined, {}, ctx(signal))).toEqual({ n: 1 });
    await first.close();
    // A new coordinator (a takeover) enqueues the same call: same job, its result.
    const second = new RemoteCalls(redis.server.url, { prefix, pollMs: 600_000 });
    expect(await second.call('count', undefined, {}, ctx(signal))).toEqual({ n: 1 });
    expect(calls).toBe(1);
    await second.close();
    await worker.close();
  }, 30_000);
});
