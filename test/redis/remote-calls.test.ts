import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet, fanOutPlan } from './support/fleet.ts';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await Fleet.start();
});
afterAll(async () => fleet?.stop());

describe('remote tool calls on BullMQ workers', () => {
  it('runs every call on the workers, a queue-routed tool only on its queue’s worker', async () => {
    const main = await fleet.worker(['--queue', 'toolplan']);
    const db = await fleet.worker(['--queue', 'db']);
    const plan = {
      version: 1,
      nodes: [
        { id: 'sq', call: 'slow_square', args: { n: 7, ms: 50 } },
        { id: 'who', call: 'db_lookup', args: { id: 'u1' } },
        { id: 'fl', call: 'flaky', args: {} },
      ],
      output: "${ {'sq': sq.sq, 'who': who, 'fl': fl} }",
    };
    const exec = fleet.exec(plan, null, 'route1');
    expect(await exec.exited, exec.stderr).toBe(0);
    const out = JSON.parse(exec.stdout);
    // A falsy field survives the trip; the retry after a remote failure is a new job.
    expect(out).toEqual({
      sq: 49,
      who: { id: 'u1', name: 'name-u1', pid: db.pid },
      fl: { attempt: 2, zero: 0 },
    });
    const log = fleet.calls().lines.filter((l) => l[1]!.startsWith('route1/'));
    expect(new Set(log.map((l) => Number(l[2])))).toEqual(new Set([main.pid, db.pid]));
    expect(log.map((l) => l[0]).sort()).toEqual([
      'attempt1',
      'attempt2',
      'finish',
      'finish',
      'start',
    ]);
    main.kill('SIGTERM');
    db.kill('SIGTERM');
    expect(await main.exited).toBe(0);
  }, 90_000);

  it('run --redis: the LLM loop’s plan calls go to a worker, the journal to Redis', async () => {
    const w = fleet.spawn(['worker', '--tools', 'tools/index.ts', '--redis', fleet.url]);
    await w.waitFor(/toolplan worker: serving/, 60_000);
    const run = fleet.spawn([
      'run',
      'How much has user u1 spent in total, over how many orders?',
      ...['--tools', 'tools/index.ts', '--redis', fleet.url, '--provider', 'openai'],
      ...['--cassette', 'evals/cases/chain/cassette.json'],
    ]);
    expect(await run.exited, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/438\.24/);
    const store = fleet.store();
    const runId = (await store.list()).at(-1);
    const events = await store.read(runId!);
    expect(events.filter((e) => e.type === 'node.succeeded').length).toBeGreaterThan(0);
    w.kill('SIGTERM');
    expect(await w.exited).toBe(0);
  }, 90_000);

  it('carries a timeout to the worker: the coordinator’s cancel aborts the running tool', async () => {
    const w = await fleet.worker();
    const plan = { version: 1, nodes: [{ id: 'h', call: 'hang', args: {}, timeout_ms: 400 }] };
    const exec = fleet.exec(plan, null, 'cancel1');
    expect(await exec.exited).toBe(1);
    expect(exec.stderr).toMatch(/Timeout/);
    const until = Date.now() + 10_000;
    while (!fleet.calls().lines.some((l) => l[0] === 'aborted' && l[1] === 'cancel1/h')) {
      if (Date.now() > until) throw new Error(`the worker's tool was never aborted: ${w.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    w.kill('SIGTERM');
    await w.exited;
  }, 90_000);

  it('re-delivers the calls of a SIGKILLed worker to the others, each call finished once', async () => {
    const workers = await Promise.all([0, 1, 2].map(() => fleet.worker(['--concurrency', '4'])));
    const { plan, input, expected } = fanOutPlan(30, 1500);
    const exec = fleet.exec(plan, input, 'kill1');
    const victim = workers[1]!;
    // Kill it while it holds calls that started and have not finished.
    const until = Date.now() + 30_000;
    for (;;) {
      const mine = fleet
        .calls()
        .lines.filter((l) => l[1]!.startsWith('kill1/') && Number(l[2]) === victim.pid);
      if (mine.some((l) => l[0] === 'start')) break;
      if (Date.now() > until) throw new Error('the victim never started a call');
      await new Promise((r) => setTimeout(r, 50));
    }
    victim.kill('SIGKILL');
    const startedByVictim = fleet
      .calls()
      .lines.filter((l) => l[0] === 'start' && Number(l[2]) === victim.pid)
      .map((l) => l[1]);
    expect(await exec.exited, exec.stderr).toBe(0);
    expect(JSON.parse(exec.stdout)).toEqual(expected);
    const { finished, started } = fleet.calls();
    const keys = [...finished.keys()].filter((k) => k.startsWith('kill1/'));
    expect(keys).toHaveLength(30);
    for (const k of keys) expect(finished.get(k), k).toBe(1);
    // The victim's calls ran again elsewhere under the same keys.
    for (const k of startedByVictim) expect(started.get(k!)).toBeGreaterThanOrEqual(2);
    expect([...started.keys()].filter((k) => k.startsWith('kill1/')).sort()).toEqual(keys.sort());
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
  }, 120_000);
});
