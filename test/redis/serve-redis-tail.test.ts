import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/exec/events.ts';
import { RedisJournalStore } from '../../src/redis/redis-journal-store.ts';
import { RedisRunTail } from '../../src/serve/redis-run-tail.ts';
import type { SummaryT } from '../../src/serve/schemas.ts';
import { freshPrefix, startRedis } from './support/redis.ts';

let env: Awaited<ReturnType<typeof startRedis>>;
beforeAll(async () => {
  env = await startRedis();
});
afterAll(async () => env?.stop());

const started = (runId: string): RunEvent => ({
  type: 'run.started',
  runId,
  plan: { goal: 'the goal' },
  input: null,
  options: { limits: {} },
  seq: 0,
  at: 1,
});
const node = (seq: number): RunEvent =>
  ({
    type: 'node.started',
    key: `n${seq}`,
    node: `n${seq}`,
    kind: 'call',
    seq,
    at: seq,
  }) as RunEvent;

describe('RedisRunTail: the runs in Redis as a server sees them', () => {
  it('reads on from where it stopped: concurrent refreshes fold and deliver each event once, in order', async () => {
    const writer = new RedisJournalStore(env.connect(), { prefix: freshPrefix() });
    const changes: SummaryT[] = [];
    const tail = new RedisRunTail(
      new RedisJournalStore(env.connect(), { prefix: writer.keys.prefix }),
      {
        pollMs: 5,
        onChange: (s) => changes.push(s),
      },
    );
    expect(await tail.refresh('r1')).toBeUndefined();
    const got: number[] = [];
    const off = tail.subscribe('r1', (e) => got.push(e.seq));
    await writer.append('r1', [started('r1')]);
    let seq = 1;
    for (let batch = 0; batch < 20; batch++) {
      const events = Array.from({ length: 1 + (batch % 4) }, () => node(seq++));
      await Promise.all([writer.append('r1', events), tail.refresh('r1'), tail.refresh('r1')]);
    }
    await writer.append('r1', [
      { type: 'run.finished', status: 'succeeded', output: 1, seq, at: seq } as RunEvent,
    ]);
    const last = await tail.refresh('r1');
    off();
    expect(got).toEqual(Array.from({ length: seq + 1 }, (_, i) => i));
    expect(last).toMatchObject({ id: 'r1', status: 'succeeded', title: 'the goal' });
    expect(tail.cached('r1')?.status).toBe('succeeded');
    // Told of the status changes only: started (running), then succeeded.
    expect(changes.map((c) => c.status)).toEqual(['running', 'succeeded']);
    expect((await tail.all()).map((s) => s.id)).toEqual(['r1']);
    tail.close();
  });
});
