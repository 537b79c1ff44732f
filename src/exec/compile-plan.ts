import { ConfigError } from '../errors/runtime-errors.ts';
import { compileValue, refsOfValue } from '../expr/compiled-value.ts';
import { holdExpressionCache } from '../expr/expression.ts';
import { EMPTY_ARGS } from '../plan/kinds/call.ts';
import type {
  Compensation,
  CompileCx,
  Compiled,
  CompiledList,
  CompiledNode,
} from '../plan/kinds/kind.ts';
import { buildListGraphFlat, dependentCount } from '../plan/list-graph.ts';
import { buildPlanGraph, type GraphNode, type ListScope } from '../plan/plan-graph.ts';
import type { PlanT } from '../plan/plan-schema.ts';

/**
 * A plan turned into what the executor walks: every `${ }` parsed once, every list's
 * dependency graph built once (from `src/plan/plan-graph.ts`), so running a node only
 * evaluates. Each node's own data is what its kind's `compile` made of it. Shared by
 * every instance of a body (map items, loop iterations).
 */
export type { Compiled, CompiledList as CList, CompiledNode as CNode };
export { EMPTY_ARGS };

export interface CompiledPlan {
  root: CompiledList;
  output?: Compiled;
  outputRefs: string[];
}

function compile(value: unknown, refs: Set<string> | undefined): Compiled {
  try {
    const c = compileValue(value);
    if (refs) refsOfValue(c, refs);
    return c;
  } catch (error) {
    return { kind: 'error', error };
  }
}

export function compilePlan(plan: PlanT): CompiledPlan {
  const release = holdExpressionCache();
  try {
    return compileGraph(plan);
  } finally {
    release();
  }
}

function compileGraph(plan: PlanT): CompiledPlan {
  const graph = buildPlanGraph(plan);
  const cycle = graph.problems.find(
    (p) => p.code === 'dependency_cycle' || p.code === 'duplicate_id',
  );
  if (cycle) throw new ConfigError(`plan_${cycle.code}`, `invalid plan: ${cycle.message}`);
  // The graph's indexes are read no further: dropped now, and each node's part of the graph
  // as soon as that node is compiled (`compileList`), so a major GC during compile finds
  // them dead instead of carrying a whole graph into the run's heap.
  const rootScope = graph.root;
  graph.all.length = 0;
  graph.sites.length = 0;
  graph.byId.clear();
  const root = compileList(rootScope);
  const outputRefs = new Set<string>();
  const output = plan.output === undefined ? undefined : compile(plan.output, outputRefs);
  return { root, output, outputRefs: [...outputRefs] };
}

/** What a compiled list's scope holds: its graph nodes are gone, so it compiles once. */
const CONSUMED: GraphNode[] = [];

function compileList(scope: ListScope): CompiledList {
  if (scope.nodes === CONSUMED)
    throw new ConfigError(
      'plan_body_compiled_twice',
      `the body at ${scope.pointer} was compiled twice`,
    );
  const size = scope.nodes.length;
  // `deps` holds ids of this list's nodes; the graph knows each one's position. Two passes
  // into flat arrays rather than an array per node: the list's graph is all that stays.
  const depStart = new Int32Array(size + 1);
  for (let i = 0; i < size; i++) {
    const g = scope.nodes[i]!;
    let count = 0;
    if (g.deps.size > 0)
      for (const id of g.deps) if (scope.byId.get(id)?.index !== undefined) count++;
    depStart[i + 1] = depStart[i]! + count;
  }
  const deps = new Int32Array(depStart[size]!);
  for (let i = 0, p = 0; i < size; i++) {
    const g = scope.nodes[i]!;
    if (g.deps.size === 0) continue;
    for (const id of g.deps) {
      const j = scope.byId.get(id)?.index;
      if (j !== undefined) deps[p++] = j;
    }
  }
  // Compiling consumes the list: each graph node is let go once compiled.
  const pending: Array<GraphNode | undefined> = scope.nodes;
  scope.nodes = CONSUMED;
  scope.byId.clear();
  const nodes: CompiledNode[] = new Array(size);
  for (let i = 0; i < size; i++) {
    nodes[i] = compileNode(pending[i]!);
    pending[i] = undefined;
  }
  const graph = buildListGraphFlat(size, depStart, deps);
  const sinks: number[] = [];
  for (let i = 0; i < graph.size; i++) if (dependentCount(graph, i) === 0) sinks.push(i);
  return { nodes, graph, sinks };
}

const EMPTY_LIST_SCOPE = (): CompiledList =>
  compileList({
    pointer: '',
    role: 'none',
    owner: null,
    parent: null,
    nodes: [],
    byId: new Map(),
    locals: new Set(),
  });

/**
 * What a kind's `compile` works with. One per node, reused: a node whose expressions read
 * no name (most calls) allocates no set for its refs.
 */
class NodeCompiler implements CompileCx {
  g: GraphNode;
  refs: Set<string> | undefined;
  comp: Compensation | undefined;

  constructor(g: GraphNode) {
    this.g = g;
    // Only a node with `${ }` of its own can read a name.
    this.refs = g.sites.length > 0 ? new Set() : undefined;
    this.comp = undefined;
  }

  value(v: unknown): Compiled {
    return compile(v, this.refs);
  }

  inBody(v: unknown): { value: Compiled; refs: string[] } {
    const refs = new Set<string>();
    return { value: compile(v, refs), refs: [...refs] };
  }

  bodies(role: string): CompiledList[] {
    const out: CompiledList[] = [];
    for (const b of this.g.bodies) if (b.role === role) out.push(compileList(b));
    return out;
  }

  body(role: string): CompiledList {
    for (const b of this.g.bodies) if (b.role === role) return compileList(b);
    return EMPTY_LIST_SCOPE();
  }

  compensate(c: Compensation | undefined): void {
    this.comp = c;
  }
}

function compileNode(g: GraphNode): CompiledNode {
  const def = g.def;
  if (!def) throw new ConfigError('plan_bad_node', `node "${g.id}" has no kind`);
  const spec = g.node as unknown as Record<string, unknown>;
  const cx = new NodeCompiler(g);
  const cond = spec.if === undefined ? undefined : cx.value(spec.if);
  const c: unknown = def.compile(spec, cx);
  let refs: string[];
  if (cx.refs) {
    cx.refs.add(g.id);
    refs = [...cx.refs];
  } else refs = [g.id];
  const timeoutMs = typeof spec.timeout_ms === 'number' ? spec.timeout_ms : undefined;
  return { id: g.id, kind: def.key, def, spec, refs, if: cond, timeoutMs, compensate: cx.comp, c };
}

/** Refs of a compiled value (the while of a loop reads names of its body). */
export function refsOf(c: Compiled | undefined): string[] {
  if (!c || c.kind === 'error') return [];
  return [...refsOfValue(c)];
}
