import { buildPlanGraph } from '../plan/plan-graph.ts';

/**
 * The critical path of an executed plan: the longest path through its top-level dependency
 * graph, each node weighted by its measured duration. A compound node (map, loop, try...)
 * weighs what its whole body took. Makespan over critical path says how close the executor
 * came to the best any scheduler could do with those durations (1.0 is ideal). Pure.
 */

export interface CriticalPath {
  /** Sum of the durations along the path, in ms. */
  ms: number;
  /** Node ids along the path, first to last. */
  path: string[];
}

export function criticalPath(
  plan: unknown,
  durationOf: (nodeId: string) => number | undefined,
): CriticalPath {
  const graph = buildPlanGraph(plan as { nodes?: unknown; output?: unknown });
  const nodes = graph.root.nodes;
  const memo = new Map<string, CriticalPath>();
  const visiting = new Set<string>();
  const longest = (id: string): CriticalPath => {
    const known = memo.get(id);
    if (known) return known;
    const node = graph.root.byId.get(id);
    // A cycle is the validator's to report; here it just ends the path.
    if (!node || visiting.has(id)) return { ms: 0, path: [] };
    visiting.add(id);
    let best: CriticalPath = { ms: 0, path: [] };
    for (const dep of node.deps) best = longer(best, longest(dep));
    visiting.delete(id);
    const own = Math.max(0, durationOf(id) ?? 0);
    const result = { ms: best.ms + own, path: [...best.path, id] };
    memo.set(id, result);
    return result;
  };
  let overall: CriticalPath = { ms: 0, path: [] };
  for (const node of nodes) overall = longer(overall, longest(node.id));
  return overall;
}

/** The longer path; on a tie in time, the one through more nodes (the sink, not its source). */
function longer(a: CriticalPath, b: CriticalPath): CriticalPath {
  return b.ms > a.ms || (b.ms === a.ms && b.path.length > a.path.length) ? b : a;
}

/** Makespan over critical path; undefined when the path took no measurable time. */
export function makespanRatio(makespanMs: number, criticalMs: number): number | undefined {
  if (criticalMs <= 0) return undefined;
  return makespanMs / criticalMs;
}
