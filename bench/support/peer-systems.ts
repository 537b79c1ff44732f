/**
 * The systems the peers benchmark runs on one realistic DAG, each a function that runs the
 * whole DAG once and resolves when every node has finished. Each calls the same tool
 * function; toolplan also validates each call's arguments and output against the tool's
 * schemas and journals every state change, which is what its figures pay for.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { executePlan, FileJournalStore, MemoryJournalStore } from '../../src/exec/index.ts';
import { argsFor, type RealisticDag, realisticPlan, stepTool } from './realistic-dag.ts';

export type SystemName =
  | 'toolplan'
  | 'toolplan-file'
  | 'toolplan-file-fsync'
  | 'hand-written'
  | 'level-by-level'
  | 'langgraph';

export const SYSTEMS: readonly SystemName[] = [
  'toolplan',
  'toolplan-file',
  'toolplan-file-fsync',
  'hand-written',
  'level-by-level',
  'langgraph',
];

type Out = { v: number } | undefined;
/** A prepared system: `run` is timed, `prepare` (building a graph, a plan object) is not. */
export interface Prepared {
  run(): Promise<{ firstStartMs?: number }>;
  dispose?(): void;
}

export function prepare(system: SystemName, dag: RealisticDag): Prepared {
  const tool = stepTool(dag.cost.some((c) => c > 0));
  switch (system) {
    case 'toolplan':
    case 'toolplan-file':
    case 'toolplan-file-fsync':
      return toolplan(system, dag, tool);
    case 'hand-written':
      return { run: () => handWritten(dag, tool.execute as Exec) };
    case 'level-by-level':
      return { run: () => levelByLevel(dag, tool.execute as Exec) };
    case 'langgraph':
      return langGraph(dag, tool.execute as Exec);
  }
}

type Exec = (args: { v: number; ms?: number }) => Promise<{ v: number }> | { v: number };

function toolplan(system: SystemName, dag: RealisticDag, tool: ReturnType<typeof stepTool>) {
  const plan = realisticPlan(dag);
  const dirs: string[] = [];
  const store = () => {
    if (system === 'toolplan') return new MemoryJournalStore();
    const dir = mkdtempSync(join(tmpdir(), 'tp-peers-'));
    dirs.push(dir);
    return new FileJournalStore(dir, { fsync: system === 'toolplan-file-fsync' });
  };
  return {
    async run() {
      let firstStartMs: number | undefined;
      const res = await executePlan(plan, {
        tools: [tool],
        store: store(),
        limits: { max_concurrency: 100_000 },
        onEvent: (e) => {
          if (firstStartMs === undefined && e.type === 'node.started')
            firstStartMs = performance.now();
        },
      });
      if (res.status !== 'succeeded') throw new Error(`toolplan: ${JSON.stringify(res)}`);
      return { firstStartMs };
    },
    dispose() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

async function handWritten(dag: RealisticDag, exec: Exec) {
  const out: Out[] = new Array(dag.deps.length);
  const p: Promise<unknown>[] = new Array(dag.deps.length);
  for (let i = 0; i < dag.deps.length; i++) {
    const d = dag.deps[i]!;
    const run = async () => {
      out[i] = await exec(argsFor(dag, i, out));
    };
    p[i] = d.length === 0 ? Promise.resolve().then(run) : Promise.all(d.map((j) => p[j])).then(run);
  }
  await Promise.all(p);
  return {};
}

async function levelByLevel(dag: RealisticDag, exec: Exec) {
  const level: number[] = [];
  const byLevel: number[][] = [];
  dag.deps.forEach((d, i) => {
    let l = 0;
    for (const j of d) l = Math.max(l, level[j]! + 1);
    level[i] = l;
    const at = byLevel[l] ?? [];
    at.push(i);
    byLevel[l] = at;
  });
  const out: Out[] = new Array(dag.deps.length);
  for (const nodes of byLevel) {
    await Promise.all(
      nodes.map(async (i) => {
        out[i] = await exec(argsFor(dag, i, out));
      }),
    );
  }
  return {};
}

/**
 * LangGraph.js: one graph node per DAG node, an edge per dependency (a node with several
 * dependencies joins on all of them), the outputs in one state channel. LangGraph runs in
 * supersteps (Pregel), so a node also waits for its superstep's slowest sibling.
 */
function langGraph(dag: RealisticDag, exec: Exec): Prepared {
  const State = Annotation.Root({
    out: Annotation<Record<string, { v: number }>>({
      // Merging into the accumulated object in place: a copying reducer is O(n^2).
      reducer: (a, b) => Object.assign(a, b),
      default: () => ({}),
    }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: node names are built at run time.
  const g: any = new StateGraph(State);
  const name = (i: number) => `n${i}`;
  dag.deps.forEach((_, i) => {
    g.addNode(name(i), async (s: { out: Record<string, { v: number }> }) => {
      const data = dag.dataDep[i]!;
      const args: { v: number; ms?: number } = { v: data >= 0 ? s.out[name(data)]!.v : 1 };
      if (dag.cost[i]) args.ms = dag.cost[i];
      return { out: { [name(i)]: await exec(args) } };
    });
  });
  const hasDependent = new Array(dag.deps.length).fill(false);
  dag.deps.forEach((d, i) => {
    if (d.length === 0) g.addEdge(START, name(i));
    else if (d.length === 1) g.addEdge(name(d[0]!), name(i));
    else g.addEdge(d.map(name), name(i));
    for (const j of d) hasDependent[j] = true;
  });
  hasDependent.forEach((has, i) => {
    if (!has) g.addEdge(name(i), END);
  });
  const app = g.compile();
  return {
    async run() {
      await app.invoke({ out: {} }, { recursionLimit: dag.deps.length + 10 });
      return {};
    },
  };
}
