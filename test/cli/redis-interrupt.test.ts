// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
/**
 * `exec --redis` and `resume --redis` follow the local rule for Ctrl-C while compensating:
 * one lets the compensations finish (on the workers) and says so; a second stops them and
 * leaves the run resumable, and `resume --redis` finishes them. A real Redis, a real worker
 * and real CLI processes (`test/redis/support/fleet.ts`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet, REMOTE_TOOLS } from '../redis/support/fleet.ts';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await Fleet.start();
  await fleet.worker();
});
afterAll(async () => fleet?.stop());

async function until(what: string, test: () => boolean, ms = 30_000) {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Two calls, each undone by a slow call, then a failure: the run's saga undoes both. */
const charged = (id: string, n: number, after?: string) => ({
  id,
  call: 'slow_square',
  args: { n, ms: 5 },
  ...(after ? { after: [after] } : {}),
  compensate: { call: 'slow_square', args: { n: `\${${id}.sq}`, ms: 800 } },
});
const plan = {
  version: 1,
  nodes: [
    charged('c1', 1),
    charged('c2', 2, 'c1'),
    { id: 'boom', after: ['c2'], fail: 'the downstream service refused' },
  ],
};
const UNDO = (runId: string) => [`${runId}/c1/compensate`, `${runId}/c2/compensate`];
const undoStarted = (runId: string) => fleet.calls().started.has(`${runId}/c2/compensate`);
const undone = (runId: string) => UNDO(runId).map((k) => fleet.calls().finished.get(k) ?? 0);

describe('Ctrl-C while a --redis run compensates', () => {
  it('one Ctrl-C lets the compensations finish, and says so', async () => {
    const exec = fleet.exec(plan, {}, 'rcomp1');
    await until('the first compensation', () => undoStarted('rcomp1'));
    exec.kill('SIGINT');
    expect(await exec.exited, exec.stderr).toBe(1);
    expect(exec.stderr).toContain('compensating 2 steps; Ctrl-C again to stop');
    expect(exec.stderr).toContain('the downstream service refused');
    expect(undone('rcomp1')).toEqual([1, 1]);
  }, 60_000);

  it('a second Ctrl-C stops them; resume --redis finishes them', async () => {
    const exec = fleet.exec(plan, {}, 'rcomp2');
    await until('the first compensation', () => undoStarted('rcomp2'));
    exec.kill('SIGINT');
    // The second once the first is answered: two in one tick would arrive as one.
    await exec.waitFor(/compensating \d+ steps/);
    exec.kill('SIGINT');
    const code = await exec.exited;
    expect(exec.stderr).toContain('stopping the compensations');
    expect(code, exec.stderr).toBe(1);
    const events = await fleet.store().read('rcomp2');
    expect(events.map((e) => e.type)).not.toContain('run.finished');
    expect(undone('rcomp2')[0]).toBe(0);

    const resume = fleet.spawn(['resume', 'rcomp2', '--tools', REMOTE_TOOLS, '--redis', fleet.url]);
    expect(await resume.exited, resume.stderr).toBe(1);
    expect(resume.stderr).toContain('the downstream service refused');
    expect(undone('rcomp2')).toEqual([1, 1]);
  }, 60_000);
});
