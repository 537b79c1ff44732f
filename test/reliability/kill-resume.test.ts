import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileJournalStore } from '../../src/exec/file-journal-store.ts';
import { foldEvents } from '../../src/exec/run-state.ts';
import {
  baselineOf,
  journalFacts,
  killTrial,
  lastJson,
  newWorkerRun,
  readEffects,
  runWorker,
  seeded,
  type WorkerRun,
} from './support/kill-trial.ts';

async function store(run: WorkerRun) {
  const events = await new FileJournalStore(run.journalDir).read(run.runId);
  return foldEvents(events, run.runId);
}

/**
 * Each test's time budget is its number of child processes times what one may take: a
 * worker pays Node and tsx start-up (1 s on a quiet machine, 4-7 s with the load of a
 * shared 2-core machine), so a fixed 60 s for nine processes timed out under load.
 */
const processes = (n: number) => n * 20_000;

/** The uninterrupted work run, started once for the file (it is a process too). */
let workBase: ReturnType<typeof baselineOf> | undefined;
const workBaseline = () => {
  workBase ??= baselineOf('work');
  return workBase;
};

/**
 * kill -9 at random moments of real child processes whose tools have side effects, then
 * resume in a new process, until one finishes. A handful of trials here; the 100+ trial run
 * is `node --import tsx bench/kill-trials.ts`.
 */
describe('kill -9 at random moments, resumed in new processes', () => {
  it(
    'work plan: nothing finished runs twice, repeats keep their key, output unchanged',
    async () => {
      const base = await workBaseline();
      expect(base.status).toBe('succeeded');
      for (let i = 0; i < 2; i++) {
        // Killed after 1-4 more calls each time (of 17), so every kill lands inside the run
        // however loaded the machine is.
        const r = await killTrial('work', base, i, seeded(4242 + i), 3, { byProgress: true });
        expect(r.problems).toEqual([]);
        expect(r.kills).toBeGreaterThan(0);
        expect(r.duplicateFinished).toBe(0);
        expect(r.differentKeyRepeats).toBe(0);
        expect(r.outputEqual).toBe(true);
      }
    },
    processes(9),
  );

  it(
    'saga killed while compensating: resume finishes it, each compensation applied once',
    async () => {
      const base = await baselineOf('saga');
      expect(base).toMatchObject({ status: 'failed', error: 'ToolError' });
      for (let i = 0; i < 1; i++) {
        const r = await killTrial('saga', base, i, seeded(777 + i), 2);
        expect(r.problems).toEqual([]);
        expect(r.kills).toBeGreaterThan(0);
        expect(r.compensationsAppliedTwice).toBe(0);
        expect(r.compensationsMissing).toBe(0);
        expect(r.duplicateFinished).toBe(0);
        expect(r.differentKeyRepeats).toBe(0);
        expect(r.finalStatus).toBe('failed');
      }
    },
    processes(4),
  );

  it(
    'max_nodes counts across resumes: two kills, refused at the node an uninterrupted run is',
    async () => {
      const base = newWorkerRun('nodes-base');
      const whole = await runWorker(base, 'start', 'nodes');
      expect(lastJson(whole.stdout)).toMatchObject({
        status: 'failed',
        error: { name: 'BudgetExceeded', code: 'max_nodes' },
      });
      const refusedIn = async (run: WorkerRun) =>
        [...(await store(run)).nodes.values()]
          .filter((n) => n.error?.code === 'max_nodes')
          .map((n) => n.key)
          .sort();

      const run = newWorkerRun('nodes');
      // The first kill inside m1; the second inside m2, after m1 finished: a resume replays
      // m1 whole from the journal (no body of it runs again), so its six nodes must be counted
      // from the journal.
      for (const at of [3, 8]) {
        const seg = await runWorker(run, at === 3 ? 'start' : 'resume', 'nodes', {
          when: (l) => l.length >= at,
        });
        expect(seg.killed).toBe(true);
      }
      const last = await runWorker(run, 'resume', 'nodes');
      expect(lastJson(last.stdout)).toMatchObject({
        status: 'failed',
        error: { name: 'BudgetExceeded', code: 'max_nodes' },
      });
      expect(await refusedIn(run)).toEqual(await refusedIn(base));
      // The node past the budget itself is refused (y/3: six of m1 and three of m2 ran).
      expect(await refusedIn(run)).toEqual(['m2', 'y/3']);
      const keys = (r: WorkerRun) =>
        [...new Set(readEffects(r.effects).map((l) => l.key.slice(r.runId.length + 1)))].sort();
      expect(keys(run)).toEqual(keys(base));
    },
    processes(4),
  );

  it(
    'a journal whose last line was torn mid-write resumes to the same output',
    async () => {
      const base = await workBaseline();
      const run = newWorkerRun('torn');
      // Killed after the 8th effect: a good part of the run is journaled.
      const first = await runWorker(run, 'start', 'work', { when: (l) => l.length >= 8 });
      expect(first.killed).toBe(true);
      const file = join(run.journalDir, `${run.runId}.jsonl`);
      const text = readFileSync(file, 'utf8');
      const lines = text.split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(3);
      // Tear the last complete line in half, as a write cut by the kill would.
      const cut = text.length - Math.ceil(lines.at(-1)!.length / 2) - 1;
      truncateSync(file, cut);
      expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(false);
      const facts = await journalFacts(run);
      expect(facts.events).toBe(lines.length - 1);
      const effectsBefore = readEffects(run.effects).length;
      const second = await runWorker(run, 'resume', 'work');
      expect(second.stderr).toBe('');
      const result = lastJson(second.stdout);
      expect(result).toMatchObject({ status: 'succeeded' });
      expect(result!.output).toEqual(base.output);
      const after = readEffects(run.effects).slice(effectsBefore);
      for (const l of after) expect(facts.finished.has(l.key.slice('torn/'.length))).toBe(false);
      // The torn bytes were cut off before the next append: every line parses again.
      for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean))
        expect(() => JSON.parse(line)).not.toThrow();
    },
    processes(3),
  );

  it(
    'garbage after the last newline (a torn write of several events) is ignored too',
    async () => {
      const base = await workBaseline();
      const run = newWorkerRun('garbage');
      await runWorker(run, 'start', 'work', { when: (l) => l.length >= 5 });
      const file = join(run.journalDir, `${run.runId}.jsonl`);
      writeFileSync(file, `${readFileSync(file, 'utf8')}{"type":"node.succ`);
      const second = await runWorker(run, 'resume', 'work');
      expect(lastJson(second.stdout)).toMatchObject({ status: 'succeeded', output: base.output });
    },
    processes(3),
  );
});
