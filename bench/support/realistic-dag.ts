// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
/**
 * The realistic DAG shape every system of the peers benchmark runs: one tool with a JSON
 * Schema input (one property) and an output schema, and a third of the edges as data
 * references (`${nJ.v}`), the rest as ordering (`after`). The same seeded DAG for everyone.
 */
import type { Tool } from '../../src/tool/tool.ts';
import { type Dag, randomDag } from './exec-dag.ts';

export interface RealisticDag extends Dag {
  /** The dependency whose output a node reads (-1: none, a literal argument). */
  dataDep: number[];
}

export function realisticDag(n: number, seed: number, costMin = 0, costMax = 0): RealisticDag {
  const dag = randomDag(n, seed, 2, 50, costMin, costMax);
  const dataDep = dag.deps.map((d, i) => (d.length > 0 && i % 3 === 0 ? d[0]! : -1));
  return { ...dag, dataDep };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `step({v})` returns `{v: v + 1}`; with `ms`, after that long (an I/O-bound tool). */
export function stepTool(withCost: boolean): Tool<{ v: number; ms?: number }, { v: number }> {
  return {
    name: 'step',
    description: 'adds one to v',
    inputSchema: {
      type: 'object',
      properties: { v: { type: 'number' }, ...(withCost ? { ms: { type: 'number' } } : {}) },
      required: ['v'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: { v: { type: 'number' } },
      required: ['v'],
    },
    execute: ({ v, ms }) => (ms ? wait(ms).then(() => ({ v: v + 1 })) : { v: v + 1 }),
  };
}

export function realisticPlan(dag: RealisticDag) {
  return {
    version: 1,
    nodes: dag.deps.map((deps, i) => {
      const data = dag.dataDep[i]!;
      const after = deps.filter((j) => j !== data).map((j) => `n${j}`);
      const args: Record<string, unknown> = { v: data >= 0 ? `\${n${data}.v}` : 1 };
      if (dag.cost[i]) args.ms = dag.cost[i];
      return { id: `n${i}`, call: 'step', args, ...(after.length ? { after } : {}) };
    }),
    output: '${true}',
  };
}

/** What a node's tool call gets, given its data dependency's output. */
export function argsFor(dag: RealisticDag, i: number, out: Array<{ v: number } | undefined>) {
  const data = dag.dataDep[i]!;
  const args: { v: number; ms?: number } = { v: data >= 0 ? out[data]!.v : 1 };
  if (dag.cost[i]) args.ms = dag.cost[i];
  return args;
}
