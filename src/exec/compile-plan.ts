import { ConfigError } from '../errors/runtime-errors.ts';
import { type CompiledValue, compileValue, refsOfValue } from '../expr/compiled-value.ts';
import { holdExpressionCache } from '../expr/expression.ts';
import { buildPlanGraph, type GraphNode, type ListScope } from '../plan/plan-graph.ts';
import type { NodeKind, PlanNode, PlanT } from '../plan/plan-schema.ts';
import { buildListGraphFlat, dependentCount, type ListGraph } from './dataflow.ts';

/**
 * A plan turned into what the executor walks: every `${ }` parsed once, every list's
 * dependency graph built once (from `src/plan/plan-graph.ts`), so running a node only
 * evaluates. Shared by every instance of a body (map items, loop iterations).
 */
export interface CList {
  nodes: CNode[];
  graph: ListGraph;
  /** Indices of nodes no sibling depends on, for the plan's default output. */
  sinks: number[];
}

/** A compiled value, or the error compiling it raised (thrown when the node runs). */
export type Compiled = CompiledValue | { kind: 'error'; error: unknown };

export interface CAlt {
  call?: string;
  args?: Compiled;
  value?: Compiled;
}

export interface CNode {
  id: string;
  kind: NodeKind;
  spec: PlanNode;
  /** Names this node's own expressions read (not its bodies'), to build their scope. */
  refs: string[];
  if?: Compiled;
  args?: Compiled;
  value?: Compiled;
  fallback?: CAlt[];
  compensate?: { call: string; args?: Compiled };
  list?: Compiled;
  body?: CList;
  catchBody?: CList;
  finallyBody?: CList;
  branches?: CList;
  cases?: Array<{ when?: Compiled; body: CList }>;
  score?: Compiled;
  while?: Compiled;
  next?: Compiled;
  items?: Compiled;
  data?: Compiled;
  /** What `call-node.ts` works out once per plan node about its tool (not per instance). */
  prep?: { tool: unknown; policy: unknown; constArgsOk: boolean };
}

/**
 * The arguments of every call that has none or `{}`: one shared value rather than one per
 * node (the executor copies const arguments per call, so sharing is safe), which also lets
 * `call-node.ts` check them against a tool's schema once per tool, not once per node.
 */
export const EMPTY_ARGS: Compiled = Object.freeze({ kind: 'const', value: Object.freeze({}) });

function isEmptyObject(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in v) if (Object.hasOwn(v, k)) return false;
  return true;
}

export interface CompiledPlan {
  root: CList;
  output?: Compiled;
  outputRefs: string[];
}

function compile(value: unknown, refs: Set<string>): Compiled {
  try {
    const c = compileValue(value);
    refsOfValue(c, refs);
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
  const root = compileList(graph.root);
  const outputRefs = new Set<string>();
  const output = plan.output === undefined ? undefined : compile(plan.output, outputRefs);
  return { root, output, outputRefs: [...outputRefs] };
}

function compileList(scope: ListScope): CList {
  const size = scope.nodes.length;
  const nodes: CNode[] = new Array(size);
  // `deps` holds ids of this list's nodes; the graph knows each one's position. Two passes
  // into flat arrays rather than an array per node: the list's graph is all that stays.
  const depStart = new Int32Array(size + 1);
  for (let i = 0; i < size; i++) {
    const g = scope.nodes[i]!;
    let count = 0;
    if (g.deps.size > 0)
      for (const id of g.deps) if (scope.byId.get(id)?.index !== undefined) count++;
    depStart[i + 1] = depStart[i]! + count;
    nodes[i] = compileNode(g);
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
  const graph = buildListGraphFlat(size, depStart, deps);
  const sinks: number[] = [];
  for (let i = 0; i < graph.size; i++) if (dependentCount(graph, i) === 0) sinks.push(i);
  return { nodes, graph, sinks };
}

function bodyOf(g: GraphNode, role: string): ListScope | undefined {
  for (const b of g.bodies) if (b.role === role) return b;
  return undefined;
}

function compileNode(g: GraphNode): CNode {
  const spec = g.node;
  const s = spec as unknown as Record<string, unknown>;
  // A plain call with no `${ }` of its own reads no name but its own id: no set to build.
  if (
    g.sites.length === 0 &&
    g.kind === 'call' &&
    s.if === undefined &&
    s.fallback === undefined &&
    s.compensate === undefined
  ) {
    const n: CNode = {
      id: g.id,
      kind: g.kind,
      spec,
      refs: [g.id],
      if: undefined,
      args: undefined,
      prep: undefined,
    };
    n.args =
      s.args === undefined || isEmptyObject(s.args) ? EMPTY_ARGS : compile(s.args, new Set());
    return n;
  }
  const refs = new Set<string>();
  const kind = g.kind;
  if (!kind) throw new ConfigError('plan_bad_node', `node "${g.id}" has no kind`);
  // The fields every call sets are in the literal, so they live in the object itself.
  const n: CNode = {
    id: g.id,
    kind,
    spec,
    refs: [],
    if: undefined,
    args: undefined,
    prep: undefined,
  };
  if (s.if !== undefined) n.if = compile(s.if, refs);
  switch (kind) {
    case 'call': {
      n.args = s.args === undefined || isEmptyObject(s.args) ? EMPTY_ARGS : compile(s.args, refs);
      if (Array.isArray(s.fallback)) {
        n.fallback = (s.fallback as Array<Record<string, unknown>>).map((alt) =>
          'value' in alt
            ? { value: compile(alt.value, refs) }
            : { call: alt.call as string, args: compile(alt.args ?? {}, refs) },
        );
      }
      const comp = s.compensate as { call: string; args?: unknown } | undefined;
      if (comp) n.compensate = { call: comp.call, args: compile(comp.args ?? {}, refs) };
      break;
    }
    case 'value':
      n.value = compile(s.value, refs);
      break;
    case 'map':
      n.list = compile(s.map, refs);
      n.body = compileList(bodyOf(g, 'do')!);
      break;
    case 'race':
      n.branches = compileList(bodyOf(g, 'race')!);
      if (s.score !== undefined) n.score = compile(s.score, refs);
      break;
    case 'switch': {
      const cases = s.switch as Array<{ when?: unknown }>;
      const bodies = g.bodies.filter((b) => b.role === 'case');
      n.cases = cases.map((c, i) => ({
        when: c.when === undefined ? undefined : compile(c.when, refs),
        body: compileList(bodies[i]!),
      }));
      break;
    }
    case 'loop':
      n.body = compileList(bodyOf(g, 'loop')!);
      // `while` reads the body's nodes: it is evaluated in the iteration's scope.
      n.while = compile(s.while, new Set());
      break;
    case 'paginate': {
      const p = s.paginate as { call: string; args?: unknown };
      n.args = compile(p.args ?? {}, refs);
      n.next = compile(s.next, refs);
      n.items = compile(s.items, refs);
      break;
    }
    case 'try': {
      n.body = compileList(bodyOf(g, 'try')!);
      const c = bodyOf(g, 'catch');
      if (c) n.catchBody = compileList(c);
      const f = bodyOf(g, 'finally');
      if (f) n.finallyBody = compileList(f);
      break;
    }
    case 'emit':
      n.data = compile(s.data ?? null, refs);
      break;
    default:
      break;
  }
  refs.add(g.id);
  n.refs = [...refs];
  return n;
}

/** Refs of a compiled value (the while of a loop reads names of its body). */
export function refsOf(c: Compiled | undefined): string[] {
  if (!c || c.kind === 'error') return [];
  return [...refsOfValue(c)];
}
