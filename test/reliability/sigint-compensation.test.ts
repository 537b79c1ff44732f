/**
 * Ctrl-C while the saga compensates, over real child processes (`support/kill-worker.ts`):
 * the refunds must not be lost. One Ctrl-C lets them finish; a second stops them and leaves
 * the run resumable, and `resume` finishes them.
 */
import { describe, expect, it } from 'vitest';
import {
  journalFacts,
  lastJson,
  newWorkerRun,
  readEffects,
  runWorker,
} from './support/kill-trial.ts';

const ALL = ['c1', 'c2', 'c3', 'c4'];
const refunding = (effects: { key: string }[]) =>
  effects.some((l) => l.key.endsWith('/compensate'));

describe('Ctrl-C during compensation', () => {
  it('one Ctrl-C lets every compensation finish, and says so', async () => {
    const run = newWorkerRun('sigint-comp-once');
    const seg = await runWorker(run, 'start', 'saga', { when: refunding, signal: 'SIGINT' });
    expect(seg.interrupted).toBe(true);
    expect(seg.stderr).toContain('compensating 4 steps; Ctrl-C again to stop');
    expect(lastJson(seg.stdout)?.status).toBe('failed');
    const facts = await journalFacts(run);
    expect([...facts.compensated].sort()).toEqual(ALL);
    expect(facts.status).toBe('failed');
  }, 60_000);

  it('a second Ctrl-C leaves the run resumable, and resume finishes the compensations', async () => {
    const run = newWorkerRun('sigint-comp-twice');
    const seg = await runWorker(run, 'start', 'saga', {
      when: refunding,
      signal: 'SIGINT',
      againMs: 5,
    });
    expect(seg.stderr).toContain('stopping the compensations');
    const stopped = lastJson(seg.stdout);
    expect(stopped?.status).toBe('cancelled');
    const mid = await journalFacts(run);
    expect(mid.compensated.size).toBeLessThan(ALL.length);
    expect(mid.status).not.toBe('failed');

    const resumed = await runWorker(run, 'resume', 'saga');
    expect(lastJson(resumed.stdout)?.status).toBe('failed');
    const facts = await journalFacts(run);
    expect([...facts.compensated].sort()).toEqual(ALL);
    // Each refund's effect is applied once per compensation key, however often it was tried.
    const refunds = readEffects(run.effects).filter((l) => l.key.endsWith('/compensate'));
    expect(new Set(refunds.map((l) => l.key)).size).toBe(ALL.length);
  }, 60_000);
});
