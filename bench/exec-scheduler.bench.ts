/**
 * Scheduler overhead per node: no-op tools, in-memory journal, 1k / 10k / 100k nodes,
 * against a hand-written Promise dataflow baseline, in one run. Each figure is the median of
 * several runs (21 at 1k, 7 at 10k, 3 at 100k): one run of 1,000 nodes takes a few ms, so a
 * single GC or a shared machine's other process decides a best-of-3 there.
 * `node --import tsx bench/exec-scheduler.bench.ts`
 */
import { z } from 'zod';
import { executePlan } from '../src/exec/index.ts';
import { MemoryJournalStore } from '../src/exec/journal-store.ts';
import { dagPlan, promiseDataflow, randomDag, table } from './support/exec-dag.ts';

const noop = {
  name: 'noop',
  description: 'does nothing',
  inputSchema: z.object({}),
  execute: () => null,
};
// Warm up the JIT first (steady state, as in a long-lived process): a few small plans.
for (let w = 0; w < 5; w++) {
  await executePlan(dagPlan(randomDag(2000, w + 1)), {
    tools: [noop],
    limits: { max_concurrency: 64 },
  });
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
const rows: Array<Array<string | number>> = [];
for (const n of [1_000, 10_000, 100_000]) {
  const dag = randomDag(n, 42);
  const plan = dagPlan(dag);
  const reps = n >= 100_000 ? 3 : n >= 10_000 ? 7 : 21;
  // Wall time, and CPU time (this process, GC threads included): on a shared machine the
  // wall clock also counts other processes' turns, CPU time does not.
  const walls: number[] = [];
  const cpus: number[] = [];
  let events = 0;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const res = await executePlan(plan, {
      tools: [noop],
      store: new MemoryJournalStore(),
      limits: { max_concurrency: 64 },
    });
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
    if (res.status !== 'succeeded') throw new Error(JSON.stringify(res));
    events = res.stats.events;
  }
  const bases: number[] = [];
  const baseCpus: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await promiseDataflow(dag, () => noop.execute());
    bases.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    baseCpus.push((c.user + c.system) / 1000);
  }
  const [best, bestCpu, base, baseCpu] = [walls, cpus, bases, baseCpus].map(median) as [
    number,
    number,
    number,
    number,
  ];
  rows.push([
    n,
    ((best * 1000) / n).toFixed(2),
    ((base * 1000) / n).toFixed(2),
    (((best - base) * 1000) / n).toFixed(2),
    ((bestCpu * 1000) / n).toFixed(2),
    ((baseCpu * 1000) / n).toFixed(2),
    (best / base).toFixed(1),
    (events / n).toFixed(1),
  ]);
}
console.log('## Scheduler overhead per node (no-op tools, in-memory journal)\n');
console.log(
  table(
    [
      'nodes',
      'toolplan µs/node',
      'promise baseline µs/node',
      'overhead µs/node',
      'toolplan CPU µs/node',
      'baseline CPU µs/node',
      'toolplan / baseline',
      'events/node',
    ],
    rows,
  ),
);
