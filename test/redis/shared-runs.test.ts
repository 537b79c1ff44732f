import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/exec/events.ts';
import { Fleet, fanOutPlan, type Proc } from './support/fleet.ts';

let fleet: Fleet;
let workers: Proc[];
beforeAll(async () => {
  fleet = await Fleet.start();
  workers = await Promise.all(
    [0, 1].map(() => fleet.worker(['--queue', 'toolplan', '--queue', 'db'])),
  );
});
afterAll(async () => fleet?.stop());

async function until(what: string, test: () => boolean | Promise<boolean>, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const startedCalls = (runId: string) =>
  fleet.calls().lines.filter((l) => l[0] === 'start' && l[1]!.startsWith(`${runId}/`)).length;

/** The journal is one writer's story: seq 0..n-1, one start, one end. */
function checkJournal(events: RunEvent[]) {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
  expect(events.filter((e) => e.type === 'run.started')).toHaveLength(1);
  expect(events.filter((e) => e.type === 'run.finished')).toHaveLength(1);
  return events.at(-1) as Extract<RunEvent, { type: 'run.finished' }>;
}

/** Every call of the run finished exactly once, and no call ran under a key not in the plan. */
function checkCallsOnce(runId: string, n: number, startedOnce: boolean) {
  const { finished, started } = fleet.calls();
  const keys = [...finished.keys()].filter((k) => k.startsWith(`${runId}/`)).sort();
  expect(keys).toEqual(Array.from({ length: n }, (_, i) => `${runId}/s/${i}`).sort());
  for (const k of keys) expect(finished.get(k), k).toBe(1);
  if (startedOnce) for (const k of keys) expect(started.get(k), k).toBe(1);
}

describe('runs shared by coordinators through Redis', () => {
  it('a second coordinator takes over a SIGKILLed one’s run and waits for the same jobs', async () => {
    const { plan, input, expected } = fanOutPlan(12, 2000);
    const exec = fleet.exec(plan, input, 'take1');
    await until('calls in flight', () => startedCalls('take1') >= 6);
    exec.kill('SIGKILL');
    const c = await fleet.coordinator();
    await c.waitFor(/run take1 ended succeeded/, 60_000);
    const last = checkJournal(await fleet.store().read('take1'));
    expect(last.output).toEqual(expected);
    // The in-flight calls were waited for, not called again.
    checkCallsOnce('take1', 12, true);
    c.kill('SIGTERM');
    await c.exited;
  }, 120_000);

  it('two coordinators racing: one owner at a time, a paused owner fenced off when it wakes', async () => {
    const [a, b] = await Promise.all([fleet.coordinator(), fleet.coordinator()]);
    const { plan, input, expected } = fanOutPlan(8, 6000);
    const exec = fleet.exec(plan, input, 'race1');
    await until('calls in flight', () => startedCalls('race1') >= 8);
    exec.kill('SIGKILL');
    const store = fleet.store();
    const byCoordinator = async () => {
      const pid = (await store.currentLease('race1'))?.holder.pid;
      return pid === a.pid || pid === b.pid;
    };
    await until('a takeover', byCoordinator);
    const first = (await store.currentLease('race1'))!;
    const owner = first.holder.pid === a.pid ? a : b;
    const other = owner === a ? b : a;
    // Freeze the owner past its lease: the other takes the run with a newer token.
    owner.kill('SIGSTOP');
    await until('the other to take over', async () => {
      const h = await store.currentLease('race1');
      return h !== undefined && h.token > first.token;
    });
    expect((await store.currentLease('race1'))!.holder.pid).toBe(other.pid);
    owner.kill('SIGCONT');
    await other.waitFor(/run race1 ended succeeded/, 60_000);
    const last = checkJournal(await store.read('race1'));
    expect(last.output).toEqual(expected);
    expect(other.stderr.match(/took over run race1/g)).toHaveLength(1);
    // The woken owner's appends were refused: it stopped, and never finished the run.
    await owner.waitFor(/run race1 ended/, 30_000);
    expect(owner.stderr).not.toMatch(/run race1 ended succeeded/);
    checkCallsOnce('race1', 8, true);
    a.kill('SIGTERM');
    b.kill('SIGTERM');
    await Promise.all([a.exited, b.exited]);
  }, 120_000);

  it('an approval given through one process resumes the run another coordinator owns', async () => {
    const plan = {
      version: 1,
      nodes: [
        { id: 'p', call: 'pay', args: { amount: 5 } },
        { id: 'who', call: 'db_lookup', args: { id: 'a1' } },
      ],
      output: "${ {'paid': p.paid, 'who': who.name} }",
    };
    const owner = fleet.exec(plan, null, 'appr1');
    await owner.waitFor(/waits for approval of p/);
    const approver = fleet.spawn([
      'resume',
      'appr1',
      '--tools',
      'test/redis/support/remote-tools.ts',
      '--redis',
      fleet.url,
      '--approve',
      'p',
    ]);
    expect(await approver.exited, approver.stderr).toBe(0);
    expect(approver.stderr).toMatch(/owned by .*decisions were handed to it/);
    expect(await owner.exited, owner.stderr).toBe(0);
    expect(JSON.parse(owner.stdout)).toEqual({ paid: 5, who: 'name-a1' });
    const decided = (await fleet.store().read('appr1')).filter(
      (e) => e.type === 'approval.decided',
    );
    expect(decided).toMatchObject([{ key: 'p', approved: true }]);
  }, 90_000);

  it('Ctrl-C cancels the calls on the workers; resume --redis calls them again to the end', async () => {
    const { plan, input, expected } = fanOutPlan(4, 2500);
    const exec = fleet.exec(plan, input, 'intr1');
    await until('calls in flight', () => startedCalls('intr1') >= 4);
    exec.kill('SIGINT');
    expect(await exec.exited).toBe(1);
    expect(exec.stderr).toMatch(/Cancelled/);
    // Had the cancel not reached them, the calls would have finished by now.
    await new Promise((r) => setTimeout(r, 3500));
    expect([...fleet.calls().finished.keys()].filter((k) => k.startsWith('intr1/'))).toEqual([]);
    const resume = fleet.spawn([
      'resume',
      'intr1',
      '--tools',
      'test/redis/support/remote-tools.ts',
      '--redis',
      fleet.url,
    ]);
    expect(await resume.exited, resume.stderr).toBe(0);
    expect(JSON.parse(resume.stdout)).toEqual(expected);
    checkCallsOnce('intr1', 4, false);
  }, 90_000);

  it('a Redis restart mid-run: the run completes and its journal is intact', async () => {
    const { plan, input, expected } = fanOutPlan(16, 1500);
    const exec = fleet.exec(plan, input, 'restart1');
    await until('calls in flight', () => startedCalls('restart1') >= 8);
    await fleet.redis.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 700));
    await fleet.redis.restart();
    expect(await exec.exited, exec.stderr).toBe(0);
    expect(JSON.parse(exec.stdout)).toEqual(expected);
    const last = checkJournal(await fleet.store().read('restart1'));
    expect(last.output).toEqual(expected);
    checkCallsOnce('restart1', 16, false);
    for (const w of workers) expect(w.child.exitCode).toBeNull();
  }, 120_000);
});
