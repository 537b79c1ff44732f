/**
 * The file journal's cost over the in-memory one, as ratios measured in one run: the same
 * plans, no-op tools, µs a node from 1k to 100k nodes. Chains (every call waits for its own
 * start event) and random DAGs (wide fan-out, where a turn's starts share a write). Columns:
 * - file: group commit (a turn's events in one write(2), the call starts once the OS has it);
 * - file, turn-batched: the same store seen only through its async `append` (what a store
 *   without `appendBatchSync` gets, and what the file journal did before group commit:
 *   a flush waits a turn, then the write);
 * - file+fsync: fdatasync after every write (the `fsync: true` option), up to 10k nodes.
 *
 * `node --import tsx bench/exec-journal.bench.ts [maxNodes=100000]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import {
  executePlan,
  FileJournalStore,
  type JournalStore,
  MemoryJournalStore,
} from '../src/exec/index.ts';
import { type Dag, dagPlan, randomDag, table } from './support/exec-dag.ts';

const maxNodes = Number(process.argv[2] ?? 100_000);
const noop = {
  name: 'noop',
  description: 'does nothing',
  inputSchema: z.object({}),
  execute: () => null,
};
const chainOf = (n: number): Dag => ({
  deps: Array.from({ length: n }, (_, i) => (i ? [i - 1] : [])),
  cost: new Array(n).fill(0),
});

/** Only the async interface: the writer batches per turn and waits for each write. */
function asyncOnly(store: FileJournalStore): JournalStore {
  return {
    append: (r, e, o) => store.append(r, e, o),
    read: (r) => store.read(r),
    list: () => store.list(),
    close: (r) => store.close(r),
    acquireLease: (r, h, o) => store.acquireLease(r, h, o),
    renewLease: (l, o) => store.renewLease(l, o),
    releaseLease: (l) => store.releaseLease(l),
    currentLease: (r) => store.currentLease(r),
  };
}

type Make = () => { store: JournalStore; done: () => void };
const inTmp =
  (wrap: (dir: string) => JournalStore): Make =>
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-bench-'));
    return { store: wrap(dir), done: () => rmSync(dir, { recursive: true, force: true }) };
  };
const stores: Record<string, Make> = {
  memory: () => ({ store: new MemoryJournalStore(), done: () => {} }),
  file: inTmp((d) => new FileJournalStore(d)),
  'file, turn-batched': inTmp((d) => asyncOnly(new FileJournalStore(d))),
  'file+fsync': inTmp((d) => new FileJournalStore(d, { fsync: true })),
};

/**
 * Best of `reps`, in µs a node: CPU time (user + system, so the write(2) and fsync calls
 * count) and wall time. On a shared, loaded machine the CPU figure is the steadier one.
 */
async function usPerNode(
  dag: Dag,
  make: Make,
  reps: number,
): Promise<{ cpu: number; wall: number }> {
  const plan = dagPlan(dag);
  let cpu = Number.POSITIVE_INFINITY;
  let wall = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const { store, done } = make();
    const c0 = process.cpuUsage();
    const t = performance.now();
    const res = await executePlan(plan, { tools: [noop], store, limits: { max_concurrency: 64 } });
    wall = Math.min(wall, performance.now() - t);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
    if (res.status !== 'succeeded') throw new Error(JSON.stringify(res));
    done();
  }
  const n = dag.deps.length;
  return { cpu: (cpu * 1000) / n, wall: (wall * 1000) / n };
}

const shapes: Array<[string, Dag]> = [];
for (const n of [1_000, 10_000, 100_000].filter((k) => k <= maxNodes)) {
  shapes.push([`chain ${n / 1000}k`, chainOf(n)]);
  shapes.push([`DAG ${n / 1000}k`, randomDag(n, 7, 1, 2000)]);
}
// Warm the JIT on both paths so neither pays for it in the table.
await usPerNode(chainOf(2000), stores.memory!, 2);
await usPerNode(chainOf(2000), stores.file!, 2);

const rows: Array<Array<string | number>> = [];
const perNode: Record<string, Record<string, { cpu: number; wall: number }>> = {};
for (const [name, dag] of shapes) {
  const n = dag.deps.length;
  const reps = n >= 100_000 ? 2 : 3;
  const got: Record<string, { cpu: number; wall: number }> = {};
  for (const [label, make] of Object.entries(stores)) {
    if (label === 'file+fsync' && n > 10_000) continue;
    got[label] = await usPerNode(dag, make, reps);
  }
  perNode[name] = got;
  const mem = got.memory!;
  const ratio = (k: string, w: 'cpu' | 'wall' = 'cpu') =>
    got[k] === undefined ? '-' : (got[k]![w] / mem[w]).toFixed(2);
  rows.push([
    name,
    mem.cpu.toFixed(1),
    got.file!.cpu.toFixed(1),
    ratio('file'),
    ratio('file', 'wall'),
    ratio('file, turn-batched'),
    ratio('file, turn-batched', 'wall'),
    ratio('file+fsync'),
    ratio('file+fsync', 'wall'),
  ]);
}
console.log('## File journal cost over in-memory (no-op tools, best of 3; 2 at 100k)\n');
console.log(
  table(
    [
      'plan',
      'memory CPU µs/node',
      'file CPU µs/node',
      'file / memory CPU',
      'wall',
      'turn-batched / memory CPU',
      'wall',
      'file+fsync / memory CPU',
      'wall',
    ],
    rows,
  ),
);
const flat = (kind: string) => {
  const small = perNode[`${kind} 1k`]?.file;
  const big = perNode[`${kind} 100k`]?.file;
  return small && big ? (big.cpu / small.cpu).toFixed(2) : '-';
};
console.log(
  `\nfile journal CPU µs/node at 100k over 1k: chain ${flat('chain')}, DAG ${flat('DAG')} (flat = about 1)`,
);
