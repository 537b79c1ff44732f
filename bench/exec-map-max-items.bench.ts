// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
/**
 * A map of `value` bodies over 1,000,000 items: refused up front by the default max_items
 * (time and peak RSS to the refusal), then run with max_items and max_nodes raised to
 * N_RAISED items. `node --import tsx bench/exec-map-max-items.bench.ts [N_RAISED]`
 */
import { executePlan } from '../src/exec/index.ts';
import { table } from './support/exec-dag.ts';

const BIG = 1_000_000;
const RAISED = Number(process.argv[2] ?? 100_000);
const plan = {
  version: 1 as const,
  nodes: [{ id: 'm', map: '${input.items}', do: [{ id: 'v', value: '${item * 2}' }] }],
  output: '${size(m)}',
};
let peakRss = 0;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const mb = (b: number) => (b / 1024 / 1024).toFixed(0);

async function measure(n: number, limits: Record<string, number>) {
  const items = Array.from({ length: n }, (_, i) => i);
  peakRss = 0;
  sample();
  const before = process.memoryUsage().rss;
  const timer = setInterval(sample, 5);
  const t = performance.now();
  const r = await executePlan(plan, { tools: [], input: { items }, limits });
  const ms = performance.now() - t;
  sample();
  clearInterval(timer);
  const what = r.status === 'failed' ? `${r.error.name} (${r.error.code})` : r.status;
  return [n, JSON.stringify(limits), what, ms.toFixed(0), mb(peakRss), mb(before)];
}

const rows = [
  await measure(BIG, {}),
  await measure(RAISED, { max_items: RAISED, max_nodes: RAISED }),
];
console.log('## map of value bodies: refused by max_items, and run at a raised cap\n');
console.log(table(['items', 'limits', 'result', 'time ms', 'peak RSS MB', 'RSS before MB'], rows));
