/**
 * Where the per-node time of a no-op plan goes: zod parse, plan graph, compile, whole run
 * (wall and CPU). A diagnostic beside exec-scheduler, not a target.
 * `node --import tsx bench/exec-phases.bench.ts [nodes]`
 */
import { z } from 'zod';
import { compilePlan } from '../src/exec/compile-plan.ts';
import { executePlan } from '../src/exec/index.ts';
import { MemoryJournalStore } from '../src/exec/journal-store.ts';
import { buildPlanGraph } from '../src/plan/plan-graph.ts';
import { Plan } from '../src/plan/plan-schema.ts';
import { dagPlan, randomDag } from './support/exec-dag.ts';

const noop = { name: 'noop', description: 'x', inputSchema: z.object({}), execute: () => null };
const n = Number(process.argv[2] ?? 100000);
const plan = dagPlan(randomDag(n, 42));
await executePlan(dagPlan(randomDag(2000, 1)), { tools: [noop], limits: { max_concurrency: 64 } });
for (let r = 0; r < 2; r++) {
  let t = performance.now();
  const p = Plan.parse(plan);
  const tp = performance.now() - t;
  t = performance.now();
  buildPlanGraph(p);
  const tg = performance.now() - t;
  t = performance.now();
  compilePlan(p);
  const tc = performance.now() - t;
  const c0 = process.cpuUsage();
  t = performance.now();
  const res = await executePlan(plan, {
    tools: [noop],
    store: new MemoryJournalStore(),
    limits: { max_concurrency: 64 },
  });
  const te = performance.now() - t;
  const cu = process.cpuUsage(c0);
  console.log(
    res.status,
    `n=${n} parse ${((tp * 1000) / n).toFixed(2)} graph ${((tg * 1000) / n).toFixed(2)} compile(incl graph) ${((tc * 1000) / n).toFixed(2)} exec total ${((te * 1000) / n).toFixed(2)} cpu ${((cu.user + cu.system) / n).toFixed(2)} µs/node`,
  );
}
