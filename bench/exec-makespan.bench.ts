/**
 * Makespan over critical path on random DAGs whose tools take 1-40 ms: toolplan's
 * dataflow, the Promise dataflow baseline, and a level-by-level scheduler, in one run.
 * `node --import tsx bench/exec-makespan.bench.ts`
 */
import { z } from 'zod';
import { executePlan } from '../src/exec/index.ts';
import { criticalPath, dagPlan, promiseDataflow, randomDag, table } from './support/exec-dag.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tool = {
  name: 'work',
  description: 'sleeps',
  inputSchema: z.object({ ms: z.number() }),
  execute: ({ ms }: { ms: number }) => wait(ms),
};

async function levels(dag: ReturnType<typeof randomDag>) {
  const level: number[] = [];
  dag.deps.forEach((d, i) => {
    level[i] = d.length ? Math.max(...d.map((j) => level[j]!)) + 1 : 0;
  });
  const max = Math.max(...level);
  for (let l = 0; l <= max; l++)
    await Promise.all(dag.cost.filter((_, i) => level[i] === l).map((c) => wait(c)));
}

const rows: Array<Array<string | number>> = [];
for (const [n, seed] of [
  [200, 1],
  [500, 2],
  [1000, 3],
] as const) {
  const dag = randomDag(n, seed, 2, 30, 1, 40);
  const cp = criticalPath(dag);
  // Like with like: the baseline gets its DAG ready-made, so toolplan's makespan runs from
  // its first node start (plan parsed and compiled) to the result; the end-to-end time,
  // parse and compile included, is reported beside it.
  let t = performance.now();
  let firstStart = 0;
  const r = await executePlan(dagPlan(dag, 'work'), {
    tools: [tool],
    limits: { max_concurrency: 100_000 },
    onEvent: (e) => {
      if (!firstStart && e.type === 'node.started') firstStart = performance.now();
    },
  });
  const end = performance.now();
  const endToEnd = end - t;
  const ours = end - firstStart;
  if (r.status !== 'succeeded') throw new Error(JSON.stringify(r));
  t = performance.now();
  await promiseDataflow(dag, (i) => wait(dag.cost[i]!));
  const base = performance.now() - t;
  t = performance.now();
  await levels(dag);
  const lv = performance.now() - t;
  rows.push([
    n,
    cp,
    (ours / cp).toFixed(3),
    (base / cp).toFixed(3),
    (ours / base).toFixed(3),
    (endToEnd / cp).toFixed(3),
    (lv / cp).toFixed(3),
  ]);
}
console.log('## Makespan / critical path (tools sleep 1-40 ms; unbounded concurrency)\n');
console.log(
  table(
    [
      'nodes',
      'critical path ms',
      'toolplan (run)',
      'promise baseline',
      'toolplan / baseline',
      'toolplan end-to-end (parse+compile+run)',
      'level-by-level',
    ],
    rows,
  ),
);
