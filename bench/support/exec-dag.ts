/** Random DAG plans for the executor benchmarks (seeded, so runs compare). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Dag {
  deps: number[][];
  cost: number[];
}

/** n nodes; node i depends on up to `fanIn` random earlier nodes within `window`. */
export function randomDag(
  n: number,
  seed: number,
  fanIn = 2,
  window = 50,
  costMin = 0,
  costMax = 0,
): Dag {
  const r = rng(seed);
  const deps: number[][] = [];
  const cost: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = new Set<number>();
    const k = i === 0 ? 0 : Math.floor(r() * (fanIn + 1));
    for (let j = 0; j < k; j++) d.add(Math.max(0, i - 1 - Math.floor(r() * Math.min(i, window))));
    deps.push([...d]);
    cost.push(costMin + Math.floor(r() * (costMax - costMin + 1)));
  }
  return { deps, cost };
}

export function dagPlan(dag: Dag, tool = 'noop') {
  return {
    version: 1,
    nodes: dag.deps.map((d, i) => ({
      id: `n${i}`,
      call: tool,
      args: dag.cost[i] ? { ms: dag.cost[i] } : {},
      ...(d.length ? { after: d.map((j) => `n${j}`) } : {}),
    })),
    output: '${true}',
  };
}

/** The hand-written baseline: each node is a promise awaiting its dependencies' promises. */
export async function promiseDataflow(dag: Dag, run: (i: number) => Promise<unknown> | unknown) {
  const p: Promise<unknown>[] = new Array(dag.deps.length);
  for (let i = 0; i < dag.deps.length; i++) {
    const d = dag.deps[i]!;
    p[i] =
      d.length === 0
        ? Promise.resolve().then(() => run(i))
        : Promise.all(d.map((j) => p[j])).then(() => run(i));
  }
  await Promise.all(p);
}

/** Longest path through the DAG by cost. */
export function criticalPath(dag: Dag): number {
  const finish: number[] = [];
  for (let i = 0; i < dag.deps.length; i++) {
    let start = 0;
    for (const j of dag.deps[i]!) start = Math.max(start, finish[j]!);
    finish.push(start + dag.cost[i]!);
  }
  return Math.max(...finish);
}

export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}
