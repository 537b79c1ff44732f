/**
 * Random interruption trials over real child processes whose tools append a line per call
 * to a file. Each trial starts a run, interrupts it at a random moment, resumes it in a new
 * process, interrupts that one too (up to 6 times), and lets the last one finish. Work
 * trials are interrupted anywhere in the run; saga trials (the run's saga, or a `try`
 * body's: `trysaga`) while compensating. Three modes,
 * `trials` each:
 * - `kill`: SIGKILL (a crash), one resumer;
 * - `concurrent`: SIGKILL, and every resume is two processes started at once (the run's
 *   lease lets one in; the other must be refused and do nothing);
 * - `sigint`: Ctrl-C (SIGINT, and in half the cases a second one 0-30 ms later), one resumer.
 * Prints a table per mode and exits 1 if any guarantee broke.
 *
 * `node --import tsx bench/kill-trials.ts [trials=100] [seed=1] [parallel=6] [modes=kill,concurrent,sigint]`
 */
import {
  type Baseline,
  baselineOf,
  killTrial,
  type PlanName,
  seeded,
  type TrialOptions,
  type TrialReport,
} from '../test/reliability/support/kill-trial.ts';

const trials = Number(process.argv[2] ?? 100);
const seed = Number(process.argv[3] ?? 1);
const parallel = Number(process.argv[4] ?? 6);
const modes = (process.argv[5] ?? 'kill,concurrent,sigint').split(',');
const OPTIONS: Record<string, TrialOptions> = {
  kill: {},
  concurrent: { resumers: 2 },
  sigint: { signal: 'SIGINT' },
};

const base: Record<Exclude<PlanName, 'nodes'>, Baseline> = {
  work: await baselineOf('work'),
  saga: await baselineOf('saga'),
  trysaga: await baselineOf('trysaga'),
};
const sum = (rs: TrialReport[], f: (r: TrialReport) => number) => rs.reduce((n, r) => n + f(r), 0);

async function runMode(mode: string): Promise<boolean> {
  const options = OPTIONS[mode];
  if (!options) throw new Error(`unknown mode ${mode}; use ${Object.keys(OPTIONS).join(', ')}`);
  const t0 = performance.now();
  const reports: TrialReport[] = [];
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= trials) return;
      // One compensation trial in four (the run's saga and a try's, in turn); the rest are
      // interrupted anywhere in the work plan.
      const plan: keyof typeof base = i % 4 !== 3 ? 'work' : i % 8 === 3 ? 'saga' : 'trysaga';
      const r = await killTrial(plan, base[plan], i, seeded(seed * 100_003 + i), 6, options);
      reports.push(r);
      if (r.problems.length)
        console.error(`${mode} trial ${i} (${plan}): ${r.problems.join('; ')}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const rows = (['work', 'saga', 'trysaga', 'all'] as const).map((name) => {
    const rs = name === 'all' ? reports : reports.filter((r) => r.plan === name);
    return {
      plan: name,
      trials: rs.length,
      [mode === 'sigint' ? 'Ctrl-Cs' : 'kills']: sum(rs, (r) => r.kills),
      resumes: sum(rs, (r) => r.resumes),
      'refused (lease held)': sum(rs, (r) => r.leasedRefusals),
      'restarts (before run.started)': sum(rs, (r) => r.restarts),
      'in-flight re-runs (same key)': sum(rs, (r) => r.sameKeyRepeats),
      'finished nodes run twice': sum(rs, (r) => r.duplicateFinished),
      'repeats with another key': sum(rs, (r) => r.differentKeyRepeats),
      'compensations applied twice': sum(rs, (r) => r.compensationsAppliedTwice),
      'compensations lost': sum(rs, (r) => r.compensationsMissing),
      'output = uninterrupted': `${rs.filter((r) => r.outputEqual).length}/${rs.length}`,
    };
  });
  console.log(
    `\n${mode}: ${trials} trials in ${seconds.toFixed(1)} s (seed ${seed}, ${parallel} at once); uninterrupted work run ${base.work.calls} calls in ${base.work.ms.toFixed(0)} ms, saga ${base.saga.calls} calls`,
  );
  console.table(rows);
  const all = rows[3]!;
  const ok =
    all['finished nodes run twice'] === 0 &&
    all['repeats with another key'] === 0 &&
    all['compensations applied twice'] === 0 &&
    all['compensations lost'] === 0 &&
    reports.every((r) => r.outputEqual && r.problems.length === 0);
  console.log(
    `${mode}: ${ok ? 'PASS: nothing lost, nothing done twice' : 'FAIL: see the trials above'}`,
  );
  return ok;
}

let allOk = true;
for (const mode of modes) allOk = (await runMode(mode)) && allOk;
process.exitCode = allOk ? 0 : 1;
