/**
 * One system on one DAG size, in a process of its own (so peak RSS is that system's alone):
 * `node --import tsx bench/support/peer-dag-run.ts SYSTEM NODES REPS SEED [COST_MIN COST_MAX]`.
 * Prints one JSON line: median wall and CPU per run, peak RSS, and (with costs) makespans.
 */
import { criticalPath } from './exec-dag.ts';
import { prepare, type SystemName } from './peer-systems.ts';
import { realisticDag } from './realistic-dag.ts';

const [system, nArg, repsArg, seedArg, minArg, maxArg] = process.argv.slice(2);
const n = Number(nArg);
const reps = Number(repsArg);
const seed = Number(seedArg ?? 42);
const costMin = Number(minArg ?? 0);
const costMax = Number(maxArg ?? 0);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// Warm the JIT on a small DAG of the same shape (steady state, as in a long-lived process).
if (costMax === 0) {
  const warm = prepare(system as SystemName, realisticDag(Math.min(n, 2000), seed + 1));
  for (let w = 0; w < 3; w++) await warm.run();
  warm.dispose?.();
}

const dag = realisticDag(n, seed, costMin, costMax);
const sys = prepare(system as SystemName, dag);
const walls: number[] = [];
const cpus: number[] = [];
const runs: number[] = [];
for (let r = 0; r < reps; r++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const { firstStartMs } = await sys.run();
  const end = performance.now();
  const c = process.cpuUsage(c0);
  walls.push(end - t0);
  cpus.push((c.user + c.system) / 1000);
  runs.push(end - (firstStartMs ?? t0));
  sys.dispose?.();
}
const cp = costMax > 0 ? criticalPath(dag) : 0;
process.stdout.write(
  `${JSON.stringify({
    system,
    n,
    wallMs: median(walls),
    cpuMs: median(cpus),
    runMs: median(runs),
    criticalPathMs: cp,
    // Per run, so the median of makespan / critical path is taken over runs.
    endToEndOverCp: cp ? median(walls.map((w) => w / cp)) : undefined,
    runOverCp: cp ? median(runs.map((w) => w / cp)) : undefined,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
