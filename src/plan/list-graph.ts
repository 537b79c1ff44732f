import { InternalError } from '../errors/runtime-errors.ts';

/**
 * The deciding half of the scheduler, pure and synchronous: which nodes of one list can
 * start now. Bookkeeping is O(nodes + edges): each node keeps a count of unfinished
 * dependencies and a list of dependents; finishing a node decrements its dependents and
 * releases those that reach zero. No levels, no polling, no scans.
 */
export interface ListGraph {
  size: number;
  /**
   * The nodes that wait for node i are `dependents[dependentsStart[i] ..
   * dependentsStart[i + 1])`: two flat arrays for the whole list rather than an array per
   * node, so a list of 100,000 nodes keeps 2 objects, not 200,000, alive for the run.
   */
  dependentsStart: Int32Array;
  dependents: Int32Array;
  /** For each node, how many dependencies it has. */
  depCount: Int32Array;
  /** Nodes with no dependency, in list order. */
  roots: number[];
}

export function buildListGraph(deps: ReadonlyArray<ReadonlyArray<number>>): ListGraph {
  const size = deps.length;
  const depStart = new Int32Array(size + 1);
  for (let i = 0; i < size; i++) depStart[i + 1] = depStart[i]! + deps[i]!.length;
  const flat = new Int32Array(depStart[size]!);
  for (let i = 0, p = 0; i < size; i++) {
    const d = deps[i]!;
    for (let k = 0; k < d.length; k++) flat[p++] = d[k]!;
  }
  return buildListGraphFlat(size, depStart, flat);
}

/**
 * `buildListGraph` from dependencies already flat: node i depends on `deps[depStart[i] ..
 * depStart[i + 1])`. The compiler uses it so that a list of 100,000 nodes does not build
 * an array per node only to drop it.
 */
export function buildListGraphFlat(
  size: number,
  depStart: Int32Array,
  deps: Int32Array,
): ListGraph {
  const depCount = new Int32Array(size);
  const outDegree = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    depCount[i] = depStart[i + 1]! - depStart[i]!;
    for (let k = depStart[i]!; k < depStart[i + 1]!; k++) {
      const j = deps[k]!;
      if (j < 0 || j >= size || j === i)
        throw new InternalError('bad_dependency', `node #${i} depends on #${j}`);
      outDegree[j]! += 1;
    }
  }
  const dependentsStart = new Int32Array(size + 1);
  for (let i = 0; i < size; i++) dependentsStart[i + 1] = dependentsStart[i]! + outDegree[i]!;
  const dependents = new Int32Array(dependentsStart[size]!);
  const fill = dependentsStart.slice(0, size);
  for (let i = 0; i < size; i++) {
    for (let k = depStart[i]!; k < depStart[i + 1]!; k++) {
      const j = deps[k]!;
      dependents[fill[j]!] = i;
      fill[j]! += 1;
    }
  }
  const roots: number[] = [];
  for (let i = 0; i < size; i++) if (depCount[i] === 0) roots.push(i);
  return { size, dependentsStart, dependents, depCount, roots };
}

/** How many nodes wait for node i. */
export function dependentCount(graph: ListGraph, i: number): number {
  return graph.dependentsStart[i + 1]! - graph.dependentsStart[i]!;
}

export type Outcome = 'succeeded' | 'skipped' | 'failed';

/**
 * One execution of a list. `finish(i)` returns the nodes it released; each released node
 * also says whether one of its dependencies was skipped (then it is skipped too).
 */
export class ReadyTracker {
  readonly graph: ListGraph;
  readonly #remaining: Int32Array;
  readonly #skippedDep: Uint8Array;
  readonly #done: Uint8Array;
  #finished = 0;

  constructor(graph: ListGraph) {
    this.graph = graph;
    this.#remaining = graph.depCount.slice();
    this.#skippedDep = new Uint8Array(graph.size);
    this.#done = new Uint8Array(graph.size);
  }

  /** The nodes that can start at once. */
  start(): readonly number[] {
    return this.graph.roots;
  }

  get finishedCount(): number {
    return this.#finished;
  }

  get allFinished(): boolean {
    return this.#finished === this.graph.size;
  }

  hasSkippedDependency(i: number): boolean {
    return this.#skippedDep[i] === 1;
  }

  /** Marks node i finished; pushes the nodes that became ready onto `into`. */
  finish(i: number, outcome: Outcome, into: number[] = []): number[] {
    if (this.#done[i]) throw new InternalError('finished_twice', `node #${i} finished twice`);
    this.#done[i] = 1;
    this.#finished += 1;
    if (outcome === 'failed') return into;
    const deps = this.graph.dependents;
    const end = this.graph.dependentsStart[i + 1]!;
    for (let k = this.graph.dependentsStart[i]!; k < end; k++) {
      const j = deps[k]!;
      if (outcome === 'skipped') this.#skippedDep[j] = 1;
      const left = this.#remaining[j]! - 1;
      this.#remaining[j] = left;
      if (left === 0) into.push(j);
    }
    return into;
  }
}
