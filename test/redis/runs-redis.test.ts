import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/exec/events.ts';
import { executePlan } from '../../src/exec/execute-plan.ts';
import { thisProcess } from '../../src/exec/journal-lease.ts';
import type { JournalStore } from '../../src/exec/journal-store.ts';
import { RedisJournalStore } from '../../src/redis/redis-journal-store.ts';
import { runCli } from '../support/run-cli.ts';
import { startRedis } from './support/redis.ts';

let env: Awaited<ReturnType<typeof startRedis>>;
let store: RedisJournalStore;
beforeAll(async () => {
  env = await startRedis();
  store = new RedisJournalStore(env.connect());
});
afterAll(async () => env?.stop());

const tools = [
  {
    name: 'echo',
    description: 'returns its text',
    inputSchema: { type: 'object', properties: { t: { type: 'string' } }, required: ['t'] },
    execute: (a: { t: string }) => ({ t: a.t }),
  },
  {
    name: 'pay',
    description: 'needs approval',
    inputSchema: { type: 'object', properties: {} },
    requires_approval: true,
    execute: () => ({ paid: true }),
  },
];
const plan = (call: string) => ({
  version: 1,
  nodes: [{ id: 'a', call, args: call === 'echo' ? { t: 'x' } : {} }],
  output: '${a}',
});

/** A store that takes the first `n` appends, then fails like a process killed mid-run. */
function crashingAfter(inner: JournalStore, n: number): JournalStore {
  let left = n;
  return {
    ...inner,
    read: (id) => inner.read(id),
    list: () => inner.list(),
    append: async (id, events: readonly RunEvent[], o) => {
      if (left-- <= 0) throw new Error('killed');
      return inner.append(id, events, o);
    },
  };
}

describe('toolplan runs --redis', () => {
  it('lists the Redis run index with the local columns and states, and how to continue', async () => {
    await executePlan(plan('echo'), { tools, store, runId: 'done1' });
    const suspended = await executePlan(plan('pay'), { tools, store, runId: 'wait1' });
    expect(suspended.status).toBe('suspended');
    await executePlan(plan('echo'), { tools, store: crashingAfter(store, 1), runId: 'cut1' });
    await executePlan(plan('echo'), { tools, store: crashingAfter(store, 1), runId: 'held1' });
    await store.acquireLease('held1', thisProcess('test owner'), { ttlMs: 60_000 });

    const url = env.server.url;
    const r = await runCli(['runs', '--redis', url]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^RUN\s+STATUS\s+STARTED\s+NODES$/);
    const row = (id: string) => lines.findIndex((l) => l.startsWith(`${id} `));
    expect(lines[row('done1')]).toMatch(/^done1\s+succeeded\s+\d{4}-\d\d-\d\dT\S+\s+succeeded 1$/);
    expect(lines[row('wait1')]).toMatch(/^wait1\s+suspended\s/);
    expect(lines[row('wait1') + 1]).toContain(`continue: toolplan resume wait1 --redis ${url}`);
    expect(lines[row('cut1')]).toMatch(/^cut1\s+interrupted\s/);
    expect(lines[row('cut1') + 1]).toContain(
      `continue: toolplan resume cut1 --redis ${url} --tools ...`,
    );
    expect(lines[row('held1')]).toMatch(/^held1\s+running\s/);
    expect(lines[row('held1') + 1]).toContain(`held by pid ${process.pid}`);
    expect(lines[row('held1') + 1]).toContain('(test owner)');

    const json = await runCli(['runs', '--redis', url, '--json']);
    const rows = JSON.parse(json.stdout) as { id: string; status: string }[];
    expect(Object.fromEntries(rows.map((x) => [x.id, x.status]))).toEqual({
      done1: 'succeeded',
      wait1: 'suspended',
      cut1: 'interrupted',
      held1: 'running',
    });

    const show = await runCli(['runs', 'show', 'done1', '--redis', url]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/a/);
    const none = await runCli(['runs', 'show', 'nope', '--redis', url]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no run nope in');
  }, 60_000);

  it('refuses a URL that is not redis:// as a usage error', async () => {
    const bad = await runCli(['runs', '--redis', 'http://127.0.0.1:1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('redis:// or rediss://');
  }, 30_000);
});
