/**
 * The file journal's cost over the in-memory one, as a ratio, in one run: the same plans
 * (a sequential chain, where every call waits for its own write, and a wide fan-out, where
 * writes batch), no-op tools. `node --import tsx bench/exec-journal.bench.ts`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { executePlan, FileJournalStore, MemoryJournalStore } from '../src/exec/index.ts';
import { dagPlan, randomDag, table } from './support/exec-dag.ts';

const noop = {
  name: 'noop',
  description: 'does nothing',
  inputSchema: z.object({}),
  execute: () => null,
};
const chain = {
  deps: Array.from({ length: 2000 }, (_, i) => (i ? [i - 1] : [])),
  cost: new Array(2000).fill(0),
};
const wide = randomDag(20_000, 7, 1, 2000);
const rows: Array<Array<string | number>> = [];
for (const [name, dag] of [
  ['chain 2k', chain],
  ['fan-out 20k', wide],
] as const) {
  const plan = dagPlan(dag);
  const time = async (
    mk: () => { store: MemoryJournalStore | FileJournalStore; done: () => void },
  ) => {
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 3; r++) {
      const { store, done } = mk();
      const t = performance.now();
      const res = await executePlan(plan, {
        tools: [noop],
        store,
        limits: { max_concurrency: 64 },
      });
      best = Math.min(best, performance.now() - t);
      if (res.status !== 'succeeded') throw new Error(JSON.stringify(res));
      done();
    }
    return best;
  };
  // Warm the JIT so neither store pays for it.
  await executePlan(plan, { tools: [noop], limits: { max_concurrency: 64 } });
  const mem = await time(() => ({ store: new MemoryJournalStore(), done: () => {} }));
  const file = await time(() => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-bench-'));
    return { store: new FileJournalStore(dir), done: () => rmSync(dir, { recursive: true }) };
  });
  const fsync = await time(() => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-bench-'));
    return {
      store: new FileJournalStore(dir, { fsync: true }),
      done: () => rmSync(dir, { recursive: true }),
    };
  });
  rows.push([
    name,
    mem.toFixed(0),
    file.toFixed(0),
    (file / mem).toFixed(2),
    (fsync / mem).toFixed(2),
  ]);
}
console.log('## File journal cost over in-memory (no-op tools)\n');
console.log(table(['plan', 'memory ms', 'file ms', 'file / memory', 'file+fsync / memory'], rows));
