import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from './support/fleet.ts';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await Fleet.start();
});
afterAll(async () => fleet?.stop());

async function until(what: string, test: () => boolean | Promise<boolean>, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a tool worker’s execution claim', () => {
  it('a worker paused past its job lock mid-call: the call runs once, its result is the run’s', async () => {
    // Lock 1 s: the pause below outlasts it, and BullMQ hands the job to the other worker.
    // Claim 10 s: the paused worker still holds the call when it wakes.
    const workers = await Promise.all([0, 1].map(() => fleet.claimWorker(1000, 10_000)));
    const plan = {
      version: 1,
      nodes: [{ id: 's', call: 'slow_square', args: { n: 7, ms: 2500 } }],
      output: '${s.sq}',
    };
    const exec = fleet.exec(plan, null, 'pause1');
    const started = () => fleet.calls().lines.find((l) => l[0] === 'start' && l[1] === 'pause1/s');
    await until('the call to start', () => started() !== undefined);
    const holder = workers.find((w) => w.pid === Number(started()![2]))!;
    holder.kill('SIGSTOP');
    const conn = fleet.store().redis;
    const job = 'toolplan:bull:toolplan:pause1/s';
    // Re-delivered: the stalled check counted it and another worker locked it.
    await until(
      'the job to go to the other worker',
      async () =>
        Number(await conn.hget(job, 'stc')) >= 1 && (await conn.exists(`${job}:lock`)) === 1,
    );
    holder.kill('SIGCONT');
    expect(await exec.exited, exec.stderr).toBe(0);
    expect(JSON.parse(exec.stdout)).toBe(49);
    const { started: s, finished: f } = fleet.calls();
    expect(s.get('pause1/s')).toBe(1);
    expect(f.get('pause1/s')).toBe(1);
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
  }, 120_000);

  it('a worker SIGKILLed mid-call: another worker on its host takes the claim over at once', async () => {
    // Claim 10 min: only seeing the holder's process gone lets the call run again in time.
    const workers = await Promise.all([0, 1].map(() => fleet.claimWorker(1000, 600_000)));
    const plan = {
      version: 1,
      nodes: [{ id: 's', call: 'slow_square', args: { n: 6, ms: 1500 } }],
      output: '${s.sq}',
    };
    const exec = fleet.exec(plan, null, 'dead1');
    const starts = () => fleet.calls().lines.filter((l) => l[0] === 'start' && l[1] === 'dead1/s');
    await until('the call to start', () => starts().length > 0);
    const victim = workers.find((w) => w.pid === Number(starts()[0]![2]))!;
    victim.kill('SIGKILL');
    expect(await exec.exited, exec.stderr).toBe(0);
    expect(JSON.parse(exec.stdout)).toBe(36);
    const other = workers.find((w) => w !== victim)!;
    expect(starts().map((l) => Number(l[2]))).toEqual([victim.pid, other.pid]);
    expect(fleet.calls().finished.get('dead1/s')).toBe(1);
    other.kill('SIGTERM');
    await other.exited;
  }, 60_000);
});
