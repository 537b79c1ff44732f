import { type CompiledExpression, compileExpression, firstLine } from '../expr/expression.ts';
import { parseTemplateString } from '../expr/template.ts';
import { pointerEscape } from '../schema/check-value.ts';
import { NODE_KIND_KEYS, type NodeKind, type PlanNode } from './plan-schema.ts';

/**
 * Pure analysis of a plan's scopes and dependencies, shared by the validator and the
 * executor. Tolerant: it walks whatever it is given (malformed nodes are passed over and
 * left to the shape checks) and reports problems as data.
 */

/** Where a `${ }` string sits and what it can see. */
export type SiteRole =
  | 'args'
  | 'value'
  | 'if'
  | 'when'
  | 'while'
  | 'map'
  | 'score'
  | 'next'
  | 'items'
  | 'paginate_args'
  | 'fallback_args'
  | 'fallback_value'
  | 'compensate_args'
  | 'data'
  | 'output';

export interface ExprSite {
  pointer: string;
  text: string;
  role: SiteRole;
  /** The list whose node ids (and its ancestors') are visible here. */
  scope: ListScope;
  /** The node of `scope` the site belongs to; null when it sees the whole list (while, output). */
  from: GraphNode | null;
  /** The node that owns the site (for `while`, the loop), null for the plan output. */
  owner: GraphNode | null;
  /** Names bound here besides node ids: input, item, index, error, cursor, ... */
  locals: ReadonlySet<string>;
  /** Parsed expressions: one for a whole-string expression, several for a template. */
  exprs: CompiledExpression[];
  /** True when the whole string is one expression, so its value keeps its type. */
  whole: boolean;
  refs: ReadonlySet<string>;
}

export type BodyRole = 'root' | 'do' | 'race' | 'case' | 'loop' | 'try' | 'catch' | 'finally';

export interface ListScope {
  pointer: string;
  role: BodyRole;
  owner: GraphNode | null;
  parent: ListScope | null;
  nodes: GraphNode[];
  byId: Map<string, GraphNode>;
  /** Names bound in this list and below (the map's `as` + index, catch's error, ...). */
  locals: ReadonlySet<string>;
}

export interface GraphNode {
  id: string;
  kind: NodeKind | undefined;
  node: PlanNode;
  pointer: string;
  list: ListScope;
  parent: GraphNode | null;
  depth: number;
  /** Position in `list.nodes`. */
  index: number;
  sites: readonly ExprSite[];
  /** Body lists owned by this node, in order (switch: one per case). */
  bodies: readonly ListScope[];
  /** Ids of siblings (same list) this node waits for: data references and `after`. */
  deps: ReadonlySet<string>;
}

/*
 * Most nodes have no sites, no bodies, or no dependencies: they share these empty values
 * until their first entry (`addSite`, `addBody`, `addDep`), so a plan of 100,000 nodes does
 * not allocate 300,000 empty containers that live as long as the graph.
 */
const NO_SITES: readonly ExprSite[] = Object.freeze([]);
const NO_BODIES: readonly ListScope[] = Object.freeze([]);
const NO_DEPS: ReadonlySet<string> = new Set();

function addDep(node: GraphNode, id: string): void {
  if (node.deps === NO_DEPS) node.deps = new Set([id]);
  else (node.deps as Set<string>).add(id);
}

function pushSite(node: GraphNode, site: ExprSite): void {
  if (node.sites === NO_SITES) node.sites = [site];
  else (node.sites as ExprSite[]).push(site);
}

export type GraphProblemCode =
  | 'unresolved_reference'
  | 'unknown_after'
  | 'enclosing_reference'
  | 'expression_syntax'
  | 'duplicate_id'
  | 'dependency_cycle';

export interface GraphProblem {
  code: GraphProblemCode;
  pointer: string;
  message: string;
  ref?: string;
  cycle?: string[];
}

export interface PlanGraph {
  root: ListScope;
  /** Every node, in document order. */
  all: GraphNode[];
  /** First node with each id. */
  byId: Map<string, GraphNode>;
  sites: ExprSite[];
  output: ExprSite | undefined;
  problems: GraphProblem[];
  maxDepth: number;
}

const ROOT_LOCALS = new Set(['input']);

export function buildPlanGraph(plan: { nodes?: unknown; output?: unknown }): PlanGraph {
  const graph: PlanGraph = {
    root: undefined as unknown as ListScope,
    all: [],
    byId: new Map(),
    sites: [],
    output: undefined,
    problems: [],
    maxDepth: 0,
  };
  graph.root = buildList(graph, plan.nodes, '/nodes', 'root', null, null, ROOT_LOCALS, 0);
  if (plan.output !== undefined) {
    const outSites = collectSites(
      graph,
      plan.output,
      '',
      'output',
      'output',
      graph.root,
      null,
      null,
      ROOT_LOCALS,
    );
    graph.output = outSites[0];
  }
  for (const site of graph.sites) resolveSite(graph, site);
  for (const node of graph.all) resolveAfter(graph, node);
  findCycles(graph);
  return graph;
}

function buildList(
  graph: PlanGraph,
  raw: unknown,
  pointer: string,
  role: BodyRole,
  owner: GraphNode | null,
  parent: ListScope | null,
  locals: ReadonlySet<string>,
  depth: number,
): ListScope {
  const list: ListScope = { pointer, role, owner, parent, nodes: [], byId: new Map(), locals };
  if (!Array.isArray(raw)) return list;
  for (let i = 0; i < raw.length; i++) {
    const node = buildNode(graph, raw[i], `${pointer}/${i}`, list, owner, depth + 1);
    if (node) list.nodes.push(node);
  }
  return list;
}

function kindOf(node: Record<string, unknown>): NodeKind | undefined {
  for (const key of NODE_KIND_KEYS) if (Object.hasOwn(node, key)) return key;
  return undefined;
}

function buildNode(
  graph: PlanGraph,
  raw: unknown,
  pointer: string,
  list: ListScope,
  parent: GraphNode | null,
  depth: number,
): GraphNode | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const n = raw as Record<string, unknown>;
  if (typeof n.id !== 'string') return undefined;
  const node: GraphNode = {
    id: n.id,
    kind: kindOf(n),
    node: n as unknown as PlanNode,
    pointer,
    list,
    parent,
    depth,
    index: list.nodes.length,
    sites: NO_SITES,
    bodies: NO_BODIES,
    deps: NO_DEPS,
  };
  graph.maxDepth = Math.max(graph.maxDepth, depth);
  const first = graph.byId.get(node.id);
  if (first) {
    graph.problems.push({
      code: 'duplicate_id',
      pointer: `${pointer}/id`,
      ref: node.id,
      message: `id "${node.id}" is already used at ${first.pointer}; ids must be unique in the whole plan`,
    });
    if (!list.byId.has(node.id)) list.byId.set(node.id, node);
  } else {
    // A first use in the plan is a first use in its list: one lookup fewer per node.
    graph.byId.set(node.id, node);
    list.byId.set(node.id, node);
  }
  graph.all.push(node);

  const here = list.locals;
  // Direct calls rather than per-node closures: a plan of 100,000 nodes must not allocate
  // (and, under tsx, name) two functions per node.
  const P = pointer;
  if (n.if !== undefined) collectSites(graph, n.if, P, 'if', 'if', list, node, node, here);
  switch (node.kind) {
    case 'call': {
      collectSites(graph, n.args, P, 'args', 'args', list, node, node, here);
      if (Array.isArray(n.fallback)) {
        n.fallback.forEach((alt, i) => {
          if (!alt || typeof alt !== 'object') return;
          const a = alt as Record<string, unknown>;
          if ('value' in a)
            collectSites(
              graph,
              a.value,
              P,
              `fallback/${i}/value`,
              'fallback_value',
              list,
              node,
              node,
              here,
            );
          else
            collectSites(
              graph,
              a.args,
              P,
              `fallback/${i}/args`,
              'fallback_args',
              list,
              node,
              node,
              here,
            );
        });
      }
      if (n.compensate && typeof n.compensate === 'object') {
        collectSites(
          graph,
          (n.compensate as Record<string, unknown>).args,
          P,
          'compensate/args',
          'compensate_args',
          list,
          node,
          node,
          new Set([...here, node.id]),
        );
      }
      break;
    }
    case 'value':
      collectSites(graph, n.value, P, 'value', 'value', list, node, node, here);
      break;
    case 'map': {
      collectSites(graph, n.map, P, 'map', 'map', list, node, node, here);
      const as = typeof n.as === 'string' ? n.as : 'item';
      addBody(graph, node, list, n.do, 'do', 'do', [as, 'index'], depth);
      break;
    }
    case 'race':
      addBody(graph, node, list, n.race, 'race', 'race', [], depth);
      if (n.score !== undefined)
        collectSites(
          graph,
          n.score,
          P,
          'score',
          'score',
          list,
          node,
          node,
          new Set([...here, 'result']),
        );
      break;
    case 'switch':
      if (Array.isArray(n.switch)) {
        n.switch.forEach((c, i) => {
          if (!c || typeof c !== 'object') return;
          const cs = c as Record<string, unknown>;
          if (cs.when !== undefined)
            collectSites(graph, cs.when, P, `switch/${i}/when`, 'when', list, node, node, here);
          addBody(graph, node, list, cs.do, `switch/${i}/do`, 'case', [], depth);
        });
      }
      break;
    case 'loop': {
      const b = addBody(graph, node, list, n.loop, 'loop', 'loop', ['iteration', 'last'], depth);
      collectSites(graph, n.while, P, 'while', 'while', b, null, node, b.locals);
      break;
    }
    case 'paginate': {
      const p = n.paginate as Record<string, unknown> | undefined;
      if (p && typeof p === 'object')
        collectSites(
          graph,
          p.args,
          P,
          'paginate/args',
          'paginate_args',
          list,
          node,
          node,
          new Set([...here, 'cursor']),
        );
      const pageLocals = new Set([...here, 'page']);
      collectSites(graph, n.next, P, 'next', 'next', list, node, node, pageLocals);
      collectSites(graph, n.items, P, 'items', 'items', list, node, node, pageLocals);
      break;
    }
    case 'try':
      addBody(graph, node, list, n.try, 'try', 'try', [], depth);
      if (n.catch !== undefined)
        addBody(graph, node, list, n.catch, 'catch', 'catch', ['error'], depth);
      if (n.finally !== undefined)
        addBody(graph, node, list, n.finally, 'finally', 'finally', [], depth);
      break;
    case 'emit':
      if (n.data !== undefined)
        collectSites(graph, n.data, P, 'data', 'data', list, node, node, here);
      break;
    default:
      break;
  }
  return node;
}

function addBody(
  graph: PlanGraph,
  node: GraphNode,
  list: ListScope,
  value: unknown,
  key: string,
  role: BodyRole,
  extra: string[],
  depth: number,
): ListScope {
  const locals = extra.length ? new Set([...list.locals, ...extra]) : list.locals;
  const b = buildList(graph, value, `${node.pointer}/${key}`, role, node, list, locals, depth);
  if (node.bodies === NO_BODIES) node.bodies = [b];
  else (node.bodies as ListScope[]).push(b);
  return b;
}

/** Can `v` hold a `${ }` string? (Numbers, booleans, null and plain strings cannot.) */
function mayHoldSites(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('${');
  if (v === null || typeof v !== 'object') return false;
  // `args: {}` on most calls: nothing to walk, so no walk state and pointer to allocate.
  if (Array.isArray(v)) return v.length > 0;
  for (const k in v) if (Object.hasOwn(v, k)) return true;
  return false;
}

interface SiteWalk {
  graph: PlanGraph;
  role: SiteRole;
  scope: ListScope;
  from: GraphNode | null;
  owner: GraphNode | null;
  locals: ReadonlySet<string>;
  out: ExprSite[];
}

/**
 * Finds every `${ }` string inside `value` (at `base` + `/` + `key`) and records it as a
 * site. Pointers are only built for values that can hold one.
 */
function collectSites(
  graph: PlanGraph,
  value: unknown,
  base: string,
  key: string,
  role: SiteRole,
  scope: ListScope,
  from: GraphNode | null,
  owner: GraphNode | null,
  locals: ReadonlySet<string>,
): ExprSite[] {
  if (!mayHoldSites(value)) return [];
  const out: ExprSite[] = [];
  const w: SiteWalk = { graph, role, scope, from, owner, locals, out };
  walkSites(w, value, `${base}/${key}`, 0);
  for (let i = 0; i < out.length; i++) {
    if (owner) pushSite(owner, out[i]!);
    graph.sites.push(out[i]!);
  }
  return out;
}

function walkSites(w: SiteWalk, v: unknown, ptr: string, d: number): void {
  if (d > 64) return;
  if (typeof v === 'string') {
    if (!v.includes('${')) return;
    const site = makeSite(w.graph, v, ptr, w.role, w.scope, w.from, w.owner, w.locals);
    if (site) w.out.push(site);
    return;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++)
      if (mayHoldSites(v[i])) walkSites(w, v[i], `${ptr}/${i}`, d + 1);
    return;
  }
  if (v && typeof v === 'object') {
    for (const key of Object.keys(v)) {
      const item = (v as Record<string, unknown>)[key];
      if (mayHoldSites(item)) walkSites(w, item, `${ptr}/${pointerEscape(key)}`, d + 1);
    }
  }
}

function makeSite(
  graph: PlanGraph,
  text: string,
  pointer: string,
  role: SiteRole,
  scope: ListScope,
  from: GraphNode | null,
  owner: GraphNode | null,
  locals: ReadonlySet<string>,
): ExprSite | undefined {
  const parsed = parseTemplateString(text);
  if (!parsed.ok) {
    graph.problems.push({ code: 'expression_syntax', pointer, message: parsed.error.message });
    return undefined;
  }
  const v = parsed.value;
  if (v.kind === 'literal') return undefined;
  const sources =
    v.kind === 'expr'
      ? [v.expr.source]
      : v.parts.flatMap((p) => (typeof p === 'string' ? [] : [p.source]));
  const exprs: CompiledExpression[] = [];
  for (const source of sources) {
    try {
      exprs.push(compileExpression(source));
    } catch (error) {
      graph.problems.push({
        code: 'expression_syntax',
        pointer,
        message: `${firstLine(error).replace(/^cannot parse /, 'cannot parse expression ')}`,
      });
      return undefined;
    }
  }
  const refs = new Set<string>();
  for (const e of exprs) for (const r of e.refs) refs.add(r);
  return { pointer, text, role, scope, from, owner, locals, exprs, whole: v.kind === 'expr', refs };
}

/** Looks a name up from a scope outwards; returns the node and the list it was found in. */
export function lookupNode(scope: ListScope, name: string): GraphNode | undefined {
  for (let l: ListScope | null = scope; l; l = l.parent) {
    const hit = l.byId.get(name);
    if (hit) return hit;
  }
  return undefined;
}

/** The node of `list` that contains `start` (itself or an ancestor), if any. */
function holderIn(list: ListScope, start: GraphNode | null, scope: ListScope): GraphNode | null {
  if (list === scope) return start;
  // Climb from the site's scope: the owner of each inner list sits in the next list out.
  let l: ListScope | null = scope;
  while (l && l.parent !== list) l = l.parent;
  return l ? l.owner : null;
}

function resolveSite(graph: PlanGraph, site: ExprSite): void {
  for (const ref of site.refs) {
    if (site.locals.has(ref)) continue;
    let found = false;
    for (let l: ListScope | null = site.scope; l; l = l.parent) {
      const target = l.byId.get(ref);
      if (!target) continue;
      found = true;
      const holder = holderIn(l, site.from, site.scope);
      if (holder === target) {
        graph.problems.push({
          code: 'enclosing_reference',
          pointer: site.pointer,
          ref,
          message: `"${ref}" is the node this expression belongs to (or encloses it), so its output does not exist yet here`,
        });
      } else if (holder) addDep(holder, target.id);
      break;
    }
    if (!found) {
      graph.problems.push({
        code: 'unresolved_reference',
        pointer: site.pointer,
        ref,
        message: unresolvedMessage(graph, site, ref),
      });
    }
  }
}

function unresolvedMessage(graph: PlanGraph, site: ExprSite, ref: string): string {
  const elsewhere = graph.byId.get(ref);
  if (elsewhere) {
    return `"${ref}" (at ${elsewhere.pointer}) is inside another node's body and cannot be seen from here; a node sees the nodes of its own list and of every enclosing list`;
  }
  const names = [...site.locals].sort();
  return `"${ref}" is not a node id or a name in scope here; in scope: node ids of this list and enclosing lists, and ${names.join(', ')}`;
}

function resolveAfter(graph: PlanGraph, node: GraphNode): void {
  const after = (node.node as { after?: unknown }).after;
  if (!Array.isArray(after)) return;
  // A loop rather than a callback, and each pointer built only for a problem: a plan of
  // 100,000 nodes must not allocate a string per `after` entry that nobody reads.
  next: for (let i = 0; i < after.length; i++) {
    const ref: unknown = after[i];
    if (typeof ref !== 'string') continue;
    for (let l: ListScope | null = node.list; l; l = l.parent) {
      const target = l.byId.get(ref);
      if (!target) continue;
      const holder = holderIn(l, node, node.list);
      if (holder === target) {
        graph.problems.push({
          code: 'enclosing_reference',
          pointer: `${node.pointer}/after/${i}`,
          ref,
          message: `"${ref}" encloses this node; it cannot wait for it`,
        });
      } else if (holder) addDep(holder, target.id);
      continue next;
    }
    graph.problems.push({
      code: 'unknown_after',
      pointer: `${node.pointer}/after/${i}`,
      ref,
      message: `"after" names "${ref}", which is not a node in scope here`,
    });
  }
}

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
function findCycles(graph: PlanGraph): void {
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
