import type { GraphNode, ListScope, PlanGraph } from './graph-types.ts';

/**
 * Whether some node of the list waits for itself or a node after it. Without one, every
 * dependency points backwards in list order, which is a topological order: no cycle, and
 * no search to make (plans are mostly written in order).
 */
function hasForwardDependency(list: ListScope): boolean {
  for (const node of list.nodes) {
    if (node.deps.size === 0) continue;
    for (const id of node.deps) {
      const dep = list.byId.get(id);
      if (!dep || dep.index >= node.index || dep.list !== list || list.nodes[dep.index] !== dep)
        return true;
    }
  }
  return false;
}

/** Reports each dependency cycle among siblings once, naming the nodes in order. */
export function findCycles(graph: PlanGraph): void {
  const lists: ListScope[] = [graph.root];
  for (const n of graph.all) for (const b of n.bodies) lists.push(b);
  for (const list of lists) {
    if (!hasForwardDependency(list)) continue;
    const state = new Map<string, 0 | 1 | 2>();
    // Iterative DFS: plans of 10,000 chained nodes must not overflow the stack. A node
    // with no dependency cannot be on a cycle and is never pushed: it would be finished
    // at once, so leaving it out changes nothing reported, and saves most of the work.
    const stack: Array<{ node: GraphNode; deps: Iterator<string> }> = [];
    for (const start of list.nodes) {
      if (start.deps.size === 0 || state.get(start.id)) continue;
      state.set(start.id, 1);
      stack.push({ node: start, deps: start.deps.values() });
      while (stack.length) {
        const top = stack[stack.length - 1]!;
        const next = top.deps.next();
        if (next.done) {
          state.set(top.node.id, 2);
          stack.pop();
          continue;
        }
        const depId = next.value;
        const dep = list.byId.get(depId);
        if (!dep || dep.deps.size === 0) continue;
        const s = state.get(depId);
        if (s === 1) {
          const from = stack.findIndex((f) => f.node.id === depId);
          const cycle = stack.slice(from).map((f) => f.node.id);
          graph.problems.push({
            code: 'dependency_cycle',
            pointer: `${dep.pointer}`,
            cycle,
            message: `dependency cycle: ${[...cycle, depId].join(' -> ')}; break it by removing one of these references`,
          });
        } else if (!s) {
          state.set(depId, 1);
          stack.push({ node: dep, deps: dep.deps.values() });
        }
      }
    }
  }
}
