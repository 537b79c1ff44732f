/**
 * Random kill -9 trials: each trial starts a real child process running a plan whose tools
 * append a line per call to a file, SIGKILLs it at a random moment, resumes it in a new
 * process, kills that one too (up to 6 times), and lets the last one finish. Work trials
 * are killed anywhere in the run; saga trials are killed while compensating. Prints a table
 * and exits 1 if any guarantee broke.
 *
 * `node --import tsx bench/kill-trials.ts [trials=100] [seed=1] [parallel=6]`
 */
import {
  baselineOf,
  killTrial,
  type PlanName,
  seeded,
  type TrialReport,
} from '../test/reliability/support/kill-trial.ts';

const trials = Number(process.argv[2] ?? 100);
const seed = Number(process.argv[3] ?? 1);
const parallel = Number(process.argv[4] ?? 6);

const t0 = performance.now();
const base = { work: await baselineOf('work'), saga: await baselineOf('saga') };
const reports: TrialReport[] = [];
let next = 0;
async function worker() {
  for (;;) {
    const i = next++;
    if (i >= trials) return;
    // One saga trial in four; the rest are killed anywhere in the work plan.
    const plan: PlanName = i % 4 === 3 ? 'saga' : 'work';
    const r = await killTrial(plan, base[plan], i, seeded(seed * 100_003 + i));
    reports.push(r);
    if (r.problems.length) console.error(`trial ${i} (${plan}): ${r.problems.join('; ')}`);
  }
}
await Promise.all(Array.from({ length: parallel }, worker));
const seconds = (performance.now() - t0) / 1000;

const sum = (rs: TrialReport[], f: (r: TrialReport) => number) => rs.reduce((n, r) => n + f(r), 0);
const rows = (['work', 'saga', 'all'] as const).map((name) => {
  const rs = name === 'all' ? reports : reports.filter((r) => r.plan === name);
  return {
    plan: name,
    trials: rs.length,
    kills: sum(rs, (r) => r.kills),
    resumes: sum(rs, (r) => r.resumes),
    'restarts (killed before run.started)': sum(rs, (r) => r.restarts),
    'in-flight re-runs (same key)': sum(rs, (r) => r.sameKeyRepeats),
    'finished nodes run twice': sum(rs, (r) => r.duplicateFinished),
    'repeats with another key': sum(rs, (r) => r.differentKeyRepeats),
    'compensations applied ≠ once': sum(
      rs,
      (r) => r.compensationsAppliedTwice + r.compensationsMissing,
    ),
    'output = uninterrupted': `${rs.filter((r) => r.outputEqual).length}/${rs.length}`,
  };
});
console.log(
  `kill -9 trials: ${trials} in ${seconds.toFixed(1)} s (seed ${seed}, ${parallel} at once); uninterrupted work run ${base.work.calls} calls in ${base.work.ms.toFixed(0)} ms, saga ${base.saga.calls} calls`,
);
console.table(rows);
const all = rows[2]!;
const ok =
  all['finished nodes run twice'] === 0 &&
  all['repeats with another key'] === 0 &&
  all['compensations applied ≠ once'] === 0 &&
  reports.every((r) => r.outputEqual && r.problems.length === 0);
console.log(ok ? 'PASS: nothing lost, nothing done twice' : 'FAIL: see the trials above');
process.exitCode = ok ? 0 : 1;
