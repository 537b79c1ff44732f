import type { GraphNode, ListScope } from '../plan/plan-graph.ts';

/** Siblings in dependency order (Kahn); nodes on a cycle come last, in list order. */
export function topoOrder(list: ListScope): GraphNode[] {
  const nodes = list.nodes;
  if (nodes.length < 2) return nodes;
  const indegree = new Map<GraphNode, number>();
  const dependents = new Map<GraphNode, GraphNode[]>();
  for (const n of nodes) {
    let count = 0;
    for (const id of n.deps) {
      const dep = list.byId.get(id);
      if (!dep || dep === n) continue;
      count += 1;
      const arr = dependents.get(dep);
      if (arr) arr.push(n);
      else dependents.set(dep, [n]);
    }
    indegree.set(n, count);
  }
  const queue = nodes.filter((n) => indegree.get(n) === 0);
  const out: GraphNode[] = [];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i]!;
    out.push(n);
    for (const d of dependents.get(n) ?? []) {
      const left = indegree.get(d)! - 1;
      indegree.set(d, left);
      if (left === 0) queue.push(d);
    }
  }
  if (out.length < nodes.length) {
    const done = new Set(out);
    for (const n of nodes) if (!done.has(n)) out.push(n);
  }
  return out;
}
