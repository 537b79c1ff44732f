/**
 * toolplan beside its peers on the same seeded DAGs, in one run: a hand-written Promise
 * dataflow, a level-by-level scheduler, and LangGraph.js (a StateGraph, one node per DAG
 * node). The DAG is realistic: a tool with JSON Schema input and output, a third of the
 * edges data references, the rest `after`. Every (system, size) runs in a process of its own,
 * one at a time, so peak RSS is that system's and no two compete for the cores.
 *
 *   node --import tsx bench/peers.bench.ts            (about 5 minutes on 2 cores)
 *   BENCH_QUICK=1 node --import tsx bench/peers.bench.ts   (small sizes only)
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from './support/exec-dag.ts';
import { SYSTEMS, type SystemName } from './support/peer-systems.ts';

const here = dirname(fileURLToPath(import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';
const SIZES = QUICK ? [500, 2_000] : [500, 1_000, 2_000, 10_000, 100_000];
const REPS: Record<number, number> = { 500: 15, 1000: 11, 2000: 9, 10000: 5, 100000: 3 };
/** LangGraph runs supersteps over every channel: past this size one run takes minutes. */
const LANGGRAPH_MAX = 2_000;
const CHILD_TIMEOUT_MS = 240_000;

interface Figures {
  system: SystemName;
  n: number;
  wallMs: number;
  cpuMs: number;
  maxRssMB: number;
  endToEndOverCp?: number;
  runOverCp?: number;
}

function measure(system: SystemName, args: number[]): Figures | string {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', resolve(here, 'support/peer-dag-run.ts'), system, ...args.map(String)],
    { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS, maxBuffer: 1 << 24 },
  );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    return r.signal ? `> ${CHILD_TIMEOUT_MS / 1000} s` : `failed (${r.stderr.trim().slice(-200)})`;
  }
  return JSON.parse(line) as Figures;
}

const perNode = new Map<string, Figures | string>();
for (const n of SIZES) {
  for (const system of SYSTEMS) {
    if (system === 'langgraph' && n > LANGGRAPH_MAX) {
      perNode.set(`${system}/${n}`, 'not run');
      continue;
    }
    const f = measure(system, [n, REPS[n] ?? 3, 42]);
    perNode.set(`${system}/${n}`, f);
    process.stderr.write(`${system.padEnd(22)} ${String(n).padStart(7)} ${show(f)}\n`);
  }
}

function show(f: Figures | string | undefined): string {
  if (f === undefined) return '-';
  if (typeof f === 'string') return f;
  return ((f.wallMs * 1000) / f.n).toFixed(2);
}
const get = (s: SystemName, n: number) => perNode.get(`${s}/${n}`);
const us = (s: SystemName, n: number) => {
  const f = get(s, n);
  return typeof f === 'object' ? (f.wallMs * 1000) / f.n : Number.NaN;
};
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '-');

console.log(
  '## Scheduler: µs a node, realistic tools (JSON Schema in and out, 1/3 data references)\n',
);
console.log(
  table(
    ['nodes', ...SYSTEMS, 'toolplan / hand-written', 'file / memory'],
    SIZES.map((n) => [
      n,
      ...SYSTEMS.map((s) => show(get(s, n))),
      ratio(us('toolplan', n), us('hand-written', n)),
      ratio(us('toolplan-file', n), us('toolplan', n)),
    ]),
  ),
);
const small = SIZES[0]!;
const large = SIZES.at(-1)!;
console.log(
  `\nFlatness (µs a node at ${large} over ${small}): ${SYSTEMS.filter((s) => s !== 'langgraph')
    .map((s) => `${s} ${ratio(us(s, large), us(s, small))}`)
    .join(', ')}`,
);

console.log(`\n## Peak RSS at ${large} nodes (MB, whole process)\n`);
const rss = (s: SystemName) => {
  const f = get(s, large);
  return typeof f === 'object' ? f.maxRssMB : Number.NaN;
};
console.log(
  table(
    ['system', 'peak RSS MB', 'over hand-written'],
    SYSTEMS.map((s) => [
      s,
      Number.isNaN(rss(s)) ? '-' : rss(s).toFixed(0),
      ratio(rss(s), rss('hand-written')),
    ]),
  ),
);

// Makespan: 150-node DAGs, tools sleeping 1-40 ms, the median of 9 runs per system.
console.log('\n## Makespan / critical path, 150-node DAGs, tools 1-40 ms, median of 9\n');
const rows: Array<Array<string | number>> = [];
for (const seed of QUICK ? [1] : [1, 2, 3]) {
  const cells: Array<string | number> = [seed];
  for (const system of SYSTEMS) {
    if (system === 'toolplan-file-fsync') continue;
    const f = measure(system, [150, 9, seed, 1, 40]);
    cells.push(typeof f === 'string' ? f : (f.runOverCp ?? 0).toFixed(3));
    if (system.startsWith('toolplan'))
      cells.push(typeof f === 'string' ? '-' : (f.endToEndOverCp ?? 0).toFixed(3));
  }
  rows.push(cells);
}
console.log(
  table(
    [
      'seed',
      'toolplan (run)',
      'toolplan end-to-end',
      'toolplan file (run)',
      'toolplan file end-to-end',
      'hand-written',
      'level-by-level',
      'langgraph',
    ],
    rows,
  ),
);
