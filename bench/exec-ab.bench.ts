/**
 * The executor of another checkout against this one, in one process, A-B-B-A: CPU µs a node
 * on the scheduler bench's DAG (no-op zod tool, in-memory journal). For "did this change
 * keep the executor within 10%": check the old commit out beside this one (with
 * `git worktree add /tmp/old <sha>` and a `node_modules` symlink), then
 *
 *   node --import tsx bench/exec-ab.bench.ts /tmp/old
 *
 * Single runs at 1,000 nodes spread ±30% on a 2-core machine: read the medians, and run it
 * more than once.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { dagPlan, randomDag, table } from './support/exec-dag.ts';

const before = process.argv[2];
if (!before) {
  console.error('usage: node --import tsx bench/exec-ab.bench.ts OLD_CHECKOUT [NEW_CHECKOUT=.]');
  process.exit(2);
}
const roots = { before: resolve(before), after: resolve(process.argv[3] ?? '.') };
type Exec = (plan: unknown, options: Record<string, unknown>) => Promise<{ status: string }>;
const load = async (root: string) => ({
  exec: (await import(`${root}/src/exec/index.ts`)).executePlan as Exec,
  Store: (await import(`${root}/src/exec/journal-store.ts`))
    .MemoryJournalStore as new () => unknown,
});
const systems = { before: await load(roots.before), after: await load(roots.after) };
const noop = {
  name: 'noop',
  description: 'does nothing',
  inputSchema: z.object({}),
  execute: () => null,
};

async function once(name: keyof typeof systems, plan: unknown): Promise<number> {
  const { exec, Store } = systems[name];
  const c0 = process.cpuUsage();
  const r = await exec(plan, {
    tools: [noop],
    store: new Store(),
    limits: { max_concurrency: 64 },
  });
  const c = process.cpuUsage(c0);
  if (r.status !== 'succeeded') throw new Error(`${name}: ${JSON.stringify(r).slice(0, 300)}`);
  return (c.user + c.system) / 1000;
}

for (let w = 0; w < 5; w++)
  for (const s of ['before', 'after'] as const) await once(s, dagPlan(randomDag(2000, w + 1)));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: Array<Array<string | number>> = [];
for (const n of [1_000, 10_000, 100_000]) {
  const plan = dagPlan(randomDag(n, 42));
  const reps = n >= 100_000 ? 4 : n >= 10_000 ? 8 : 24;
  const t = { before: [] as number[], after: [] as number[] };
  for (let r = 0; r < reps; r++)
    for (const s of r % 2 ? (['after', 'before'] as const) : (['before', 'after'] as const))
      t[s].push(await once(s, plan));
  const [b, a] = [median(t.before), median(t.after)].map((ms) => (ms * 1000) / n) as [
    number,
    number,
  ];
  rows.push([n, b.toFixed(2), a.toFixed(2), (a / b).toFixed(2)]);
}
console.log(`before: ${roots.before}\nafter:  ${roots.after}\n`);
console.log(table(['nodes', 'before CPU µs/node', 'after CPU µs/node', 'after ÷ before'], rows));
