import { findCycles } from './graph-cycles.ts';
import { collectSites, noSites } from './graph-sites.ts';
import type { BodyRole, ExprSite, GraphNode, ListScope, PlanGraph } from './graph-types.ts';
import type { KindPart, SitePart } from './kinds/kind.ts';
import { kindOfNode } from './kinds/registry.ts';
import type { PlanNode } from './plan-schema.ts';

/**
 * Pure analysis of a plan's scopes and dependencies, shared by the validator and the
 * executor. Tolerant: it walks whatever it is given (malformed nodes are passed over and
 * left to the shape checks) and reports problems as data.
 */

export type {
  BodyRole,
  ExprSite,
  GraphNode,
  GraphProblem,
  GraphProblemCode,
  ListScope,
  PlanGraph,
  SiteRole,
} from './graph-types.ts';

/*
 * Most nodes have no sites, no bodies, or no dependencies: they share these empty values
 * until their first entry (`addSite`, `addBody`, `addDep`), so a plan of 100,000 nodes does
 * not allocate 300,000 empty containers that live as long as the graph.
 */
const NO_BODIES: readonly ListScope[] = Object.freeze([]);
const NO_DEPS: ReadonlySet<string> = new Set();

function addDep(node: GraphNode, id: string): void {
  if (node.deps === NO_DEPS) node.deps = new Set([id]);
  else (node.deps as Set<string>).add(id);
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
      OUTPUT_SITE,
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
  const def = kindOfNode(n);
  const node: GraphNode = {
    id: n.id,
    kind: def?.key,
    def,
    node: n as unknown as PlanNode,
    pointer,
    list,
    parent,
    depth,
    index: list.nodes.length,
    sites: noSites(),
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

  if (n.if !== undefined)
    collectSites(graph, n.if, pointer, IF_SITE, list, node, node, list.locals);
  if (def) addParts(graph, node, def.parts(n), depth);
  return node;
}

const IF_SITE: SitePart = {
  part: 'site',
  key: 'if',
  role: 'if',
  value: undefined,
  expects: 'bool',
};
const OUTPUT_SITE: SitePart = { part: 'site', key: 'output', role: 'output', value: undefined };

/** The kind's bodies and expression fields, in its order, each in the scope it declares. */
function addParts(graph: PlanGraph, node: GraphNode, parts: KindPart[], depth: number): void {
  const list = node.list;
  let lastBody: ListScope | undefined;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.part === 'body') {
      lastBody = addBody(graph, node, list, part.value, part.key, part.role, part.binds, depth);
      continue;
    }
    if (part.inBody && lastBody) {
      collectSites(graph, part.value, node.pointer, part, lastBody, null, node, lastBody.locals);
      continue;
    }
    let locals = list.locals;
    if (part.binds?.length || part.bindsSelf) {
      const extra = new Set(locals);
      for (const b of part.binds ?? []) extra.add(b);
      if (part.bindsSelf) extra.add(node.id);
      locals = extra;
    }
    collectSites(graph, part.value, node.pointer, part, list, node, node, locals);
  }
}

function addBody(
  graph: PlanGraph,
  node: GraphNode,
  list: ListScope,
  value: unknown,
  key: string,
  role: BodyRole,
  extra: readonly string[],
  depth: number,
): ListScope {
  const locals = extra.length ? new Set([...list.locals, ...extra]) : list.locals;
  const b = buildList(graph, value, `${node.pointer}/${key}`, role, node, list, locals, depth);
  if (node.bodies === NO_BODIES) node.bodies = [b];
  else (node.bodies as ListScope[]).push(b);
  return b;
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
