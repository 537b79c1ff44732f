import { type CompiledExpression, compileExpression, firstLine } from '../expr/expression.ts';
import { parseTemplateString } from '../expr/template.ts';
import { pointerEscape } from '../schema/check-value.ts';
import type { ExprSite, GraphNode, ListScope, PlanGraph } from './graph-types.ts';
import type { SitePart } from './kinds/kind.ts';

/**
 * Finding the `${ }` strings of a node's fields: each becomes a site, parsed once, with the
 * names it reads and the scope it reads them in.
 */
const NO_SITES: readonly ExprSite[] = Object.freeze([]);

/** The shared empty list of sites: most nodes have none until their first. */
export function noSites(): readonly ExprSite[] {
  return NO_SITES;
}

function pushSite(node: GraphNode, site: ExprSite): void {
  if (node.sites === NO_SITES) node.sites = [site];
  else (node.sites as ExprSite[]).push(site);
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
  part: SitePart;
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
export function collectSites(
  graph: PlanGraph,
  value: unknown,
  base: string,
  part: SitePart,
  scope: ListScope,
  from: GraphNode | null,
  owner: GraphNode | null,
  locals: ReadonlySet<string>,
): ExprSite[] {
  if (!mayHoldSites(value)) return [];
  const out: ExprSite[] = [];
  const w: SiteWalk = { graph, part, scope, from, owner, locals, out };
  walkSites(w, value, `${base}/${part.key}`, 0);
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
    const site = makeSite(w.graph, v, ptr, w.part, w.scope, w.from, w.owner, w.locals);
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
  part: SitePart,
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
  // One expression (the commonest site) reads what it reads: its set, shared, not a copy.
  let refs = exprs[0]!.refs;
  if (exprs.length > 1) {
    const all = new Set<string>();
    for (const e of exprs) for (const r of e.refs) all.add(r);
    refs = all;
  }
  const role = part.role;
  return {
    pointer,
    text,
    role,
    part,
    scope,
    from,
    owner,
    locals,
    exprs,
    whole: v.kind === 'expr',
    refs,
  };
}
