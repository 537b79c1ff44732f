/** The list scheduler's pure half lives with the plan's structure; the executor re-exports it. */
export {
  buildListGraph,
  buildListGraphFlat,
  dependentCount,
  type ListGraph,
  type Outcome,
  ReadyTracker,
} from '../plan/list-graph.ts';
