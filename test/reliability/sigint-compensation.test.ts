/**
 * Ctrl-C while the saga compensates, over real child processes (`support/kill-worker.ts`):
 * the refunds must not be lost. One Ctrl-C lets them finish; a second stops them and leaves
 * the run resumable, and `resume` finishes them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  baselineOf,
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

/**
 * The same inside a `try`: its compensations used to run under the frame's signal, so one
 * Ctrl-C aborted them and the refunds were lost. Now they finish (or a second Ctrl-C stops
 * them), the run is left cancelled, and `resume` runs `catch` and the rest to the output of
 * an uninterrupted run.
 */
describe('Ctrl-C while a try body compensates', () => {
  it('one Ctrl-C lets them finish, says so, and the resumed run ends as uninterrupted', async () => {
    const base = await baselineOf('trysaga');
    expect(base).toMatchObject({ status: 'succeeded', output: { t: 'boom', after: 'after' } });
    const run = newWorkerRun('sigint-try-once');
    const seg = await runWorker(run, 'start', 'trysaga', { when: refunding, signal: 'SIGINT' });
    expect(seg.interrupted).toBe(true);
    expect(seg.stderr).toContain('compensating 4 steps; Ctrl-C again to stop');
    expect(lastJson(seg.stdout)?.status).toBe('cancelled');
    const mid = await journalFacts(run);
    expect([...mid.compensated].sort()).toEqual(ALL);
    expect(mid.finished.has('after')).toBe(false);

    const resumed = await runWorker(run, 'resume', 'trysaga');
    expect(lastJson(resumed.stdout)).toMatchObject({ status: 'succeeded', output: base.output });
    expect(onceEach(run)).toEqual(ALL.length);
  }, 60_000);

  it('a second Ctrl-C stops them, and resume finishes them, each applied once', async () => {
    const base = await baselineOf('trysaga');
    const run = newWorkerRun('sigint-try-twice');
    const seg = await runWorker(run, 'start', 'trysaga', {
      when: refunding,
      signal: 'SIGINT',
      againMs: 5,
    });
    expect(seg.stderr).toContain('stopping the compensations');
    expect(lastJson(seg.stdout)?.status).toBe('cancelled');
    const mid = await journalFacts(run);
    expect(mid.compensated.size).toBeLessThan(ALL.length);
    expect(mid.status).not.toBe('failed');

    const resumed = await runWorker(run, 'resume', 'trysaga');
    expect(lastJson(resumed.stdout)).toMatchObject({ status: 'succeeded', output: base.output });
    const facts = await journalFacts(run);
    expect([...facts.compensated].sort()).toEqual(ALL);
    expect(onceEach(run)).toEqual(ALL.length);
  }, 60_000);
});

/** Refunds applied, each once: the refund tool's `.applied` file holds one line a key. */
function onceEach(run: ReturnType<typeof newWorkerRun>): number {
  const lines = readFileSync(`${run.effects}.applied`, 'utf8').split('\n').filter(Boolean);
  expect(new Set(lines).size).toBe(lines.length);
  return lines.length;
}
