/**
 * A map over 100,000 items at concurrency 64: peak RSS and heapUsed (sampled), against the
 * Promise baseline holding the same results. `node --import tsx bench/exec-map-memory.bench.ts`
 */
import { z } from 'zod';
import { executePlan } from '../src/exec/index.ts';
import { table } from './support/exec-dag.ts';

const N = 100_000;
const tool = {
  name: 'item',
  description: 'returns a small object',
  inputSchema: z.object({ i: z.number() }),
  execute: async ({ i }: { i: number }) => ({ i, sq: i * i }),
};
let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const timer = setInterval(sample, 5);
const base0 = process.memoryUsage();
const t = performance.now();
const r = await executePlan(
  {
    version: 1,
    nodes: [
      {
        id: 'm',
        map: '${input.items}',
        concurrency: 64,
        do: [{ id: 'x', call: 'item', args: { i: '${item}' } }],
      },
    ],
    output: '${size(m)}',
  },
  {
    tools: [tool],
    input: { items: Array.from({ length: N }, (_, i) => i) },
    limits: { max_concurrency: 64, max_items: N, max_nodes: N },
  },
);
const ms = performance.now() - t;
sample();
clearInterval(timer);
if (r.status !== 'succeeded' || r.output !== N) throw new Error(JSON.stringify(r).slice(0, 500));
const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
console.log('## map over 100,000 items, concurrency 64 (in-memory journal)\n');
console.log(
  table(
    ['items', 'time ms', 'µs/item', 'peak RSS MB', 'peak heapUsed MB', 'RSS before MB'],
    [[N, ms.toFixed(0), ((ms * 1000) / N).toFixed(1), mb(peakRss), mb(peakHeap), mb(base0.rss)]],
  ),
);
