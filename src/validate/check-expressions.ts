// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import type { TypeCheckResult } from '@marcbachmann/cel-js';
import type { ExprSite, GraphNode, ListScope, PlanGraph } from '../plan/plan-graph.ts';
import { lookupNode } from '../plan/plan-graph.ts';
import type { RegisteredTool, ToolRegistry } from '../tool/registry.ts';
import {
  celTypeFits,
  conversionHint,
  describeCelType,
  describeSchema,
  schemaAt,
} from './arg-types.ts';
import { type CelTypes, elementType, isListType } from './cel-types.ts';
import { CEL_TYPE_NAMES } from './check-shape.ts';
import { type IssueList, preview } from './issues.ts';
import { checkLiteralConditions } from './literal-conditions.ts';
import { didYouMean } from './suggest.ts';
import { topoOrder } from './topo-order.ts';
import { commonType, literalType, outputTypeOf } from './value-types.ts';

/**
 * Type-checks every expression in its scope, nodes in dependency order so that each
 * node's output type is known before the nodes that read it: a call is typed by its tool's
 * output schema, a value by its expression, a map, loop, switch, try or race by its bodies.
 * Each node is typed once and each expression checked once (a few that read a loop's
 * `last` twice, see `#typeLast`), so the work is linear in the plan. Unknown stays dyn.
 */

const ERROR_SCHEMA = {
  type: 'object',
  properties: { name: { type: 'string' }, message: { type: 'string' }, node: { type: 'string' } },
};

export interface ExpressionContext {
  graph: PlanGraph;
  types: CelTypes;
  issues: IssueList;
  /** The tool each call / paginate node calls, when registered. */
  toolOf: Map<GraphNode, RegisteredTool>;
  registry: ToolRegistry;
  inputType: string;
}

const CONDITION_ROLES = new Set(['if', 'when', 'while']);
const ARG_ROLES = new Set(['args', 'fallback_args', 'compensate_args', 'paginate_args']);

export class ExpressionChecker {
  readonly #c: ExpressionContext;
  readonly #nodeType = new Map<GraphNode, string>();
  readonly #itemType = new Map<GraphNode, string>();
  readonly #siteType = new Map<ExprSite, string>();
  /** A loop's `last`: its body's output type, known once the body is typed. */
  readonly #lastType = new Map<GraphNode, string>();
  /** Sites in a loop body that read `last` as dyn, passed, and are checked again. */
  readonly #readsLast = new Map<GraphNode, ExprSite[]>();
  /** Set while resolving a site's names: the loop whose `last` it reads. */
  #readLast: GraphNode | undefined;
  readonly #errorType: string;

  /** Registers the types it needs; call before the types are sealed. */
  static prepare(types: CelTypes): string {
    return types.typeOf(ERROR_SCHEMA, 'error');
  }

  constructor(context: ExpressionContext, errorType: string) {
    this.#c = context;
    this.#errorType = errorType;
  }

  run(): void {
    this.#list(this.#c.graph.root);
    if (this.#c.graph.output) this.#site(this.#c.graph.output);
  }

  #list(list: ListScope): void {
    for (const node of topoOrder(list)) this.#node(node);
  }

  #node(node: GraphNode): void {
    const later: ExprSite[] = [];
    for (const site of node.sites) {
      if (site.role === 'while' || site.role === 'score') later.push(site);
      else this.#site(site);
    }
    const raw = node.node as unknown as Record<string, unknown>;
    if (node.kind === 'map') this.#itemType.set(node, this.#mapItemType(node));
    for (const body of node.bodies) this.#list(body);
    if (node.kind === 'loop') this.#typeLast(node);
    for (const site of later) this.#site(site);
    checkLiteralConditions(node, raw, this.#c.issues);
    this.#nodeType.set(node, this.#outputType(node, raw));
  }

  /**
   * `last` is the previous iteration's body output, so its type is the body's, known only
   * once the body is typed (its last node may be built from `last`). An expression that
   * reads it is checked as usual with `last` as dyn; when that passes, it is checked again
   * with `last` typed (here for body sites, at once for `while`), for what must fail at
   * run time: a field the type does not have, an argument of the wrong type. What flows on
   * is the type inferred under dyn, which is never too narrow; and the second check's
   * other complaints (`last == null ? 0 : last.n`: int and double branches) are not errors
   * at run time, so they are not reported.
   */
  #typeLast(loop: GraphNode): void {
    const type = this.#bodyType(loop.bodies[0]);
    this.#lastType.set(loop, type);
    const sites = this.#readsLast.get(loop);
    this.#readsLast.delete(loop);
    if (type === 'dyn' || !sites) return;
    for (const site of sites) this.#site(site, true);
  }

  #bodyType(list: ListScope | undefined): string {
    const n = list?.nodes[list.nodes.length - 1];
    return (n && this.#nodeType.get(n)) ?? 'dyn';
  }

  #mapItemType(node: GraphNode): string {
    const site = node.sites.find((s) => s.role === 'map');
    if (site) return elementType(this.#siteType.get(site) ?? 'dyn');
    return 'dyn';
  }

  #outputType(node: GraphNode, raw: Record<string, unknown>): string {
    switch (node.kind) {
      case 'call': {
        const tool = this.#c.toolOf.get(node);
        // A fallback may produce something else than the tool's output.
        if (!tool?.outputSchema || raw.fallback !== undefined) return 'dyn';
        return this.#c.types.known(tool.outputSchema);
      }
      case 'value': {
        const v = raw.value;
        if (typeof v === 'string' && v.includes('${')) {
          const site = node.sites.find(
            (s) => s.role === 'value' && s.pointer === `${node.pointer}/value`,
          );
          const t = site && this.#siteType.get(site);
          return t ? outputTypeOf(t, this.#c.types) : 'dyn';
        }
        return literalType(v);
      }
      case 'map':
        return `list<${this.#bodyType(node.bodies[0])}>`;
      case 'loop':
        return this.#bodyType(node.bodies[0]);
      case 'switch':
        // A case without `do` leaves an empty body, whose output is unknown (dyn).
        return commonType(node.bodies.map((b) => this.#bodyType(b)));
      case 'try': {
        const body = node.bodies.find((b) => b.role === 'try');
        const caught = node.bodies.find((b) => b.role === 'catch');
        const types = [this.#bodyType(body)];
        if (raw.catch !== undefined) types.push(this.#bodyType(caught));
        return commonType(types);
      }
      case 'race':
        return this.#raceResultType(node);
      case 'paginate': {
        const site = node.sites.find((s) => s.role === 'items' && s.whole);
        const t = site ? this.#siteType.get(site) : undefined;
        return t && isListType(t) ? outputTypeOf(t, this.#c.types) : 'list<dyn>';
      }
      default:
        return 'dyn';
    }
  }

  /** A race gives one branch's output: typed only when every branch has the same type. */
  #raceResultType(node: GraphNode): string {
    return commonType((node.bodies[0]?.nodes ?? []).map((n) => this.#nodeType.get(n) ?? 'dyn'));
  }

  /** Checks a site; `again` is the second check of one that read `last`, now typed. */
  #site(site: ExprSite, again = false): void {
    const { issues } = this.#c;
    const before = issues.items.length;
    this.#readLast = undefined;
    let type = 'string';
    for (const expr of site.exprs) {
      // A node named like a CEL type is already a reserved_id issue; CEL would read the type.
      if ([...expr.refs].some((r) => CEL_TYPE_NAMES.has(r))) continue;
      const vars: Array<[string, string]> = [];
      for (const ref of expr.refs) vars.push([ref, this.#refType(site, ref, again)]);
      let result: TypeCheckResult;
      try {
        result = this.#c.types.check(expr.source, vars);
      } catch (error) {
        this.#c.issues.error(
          site.pointer,
          'internal',
          `could not type-check ${preview(site.text)}: ${String(error).split('\n')[0]}`,
        );
        return;
      }
      if (!result.valid) {
        this.#report(site, result, again);
        return;
      }
      if (site.whole) type = result.type ?? 'dyn';
    }
    // The type that flows on stays the first one: nodes after it are already typed.
    if (!again) this.#siteType.set(site, type);
    this.#fits(site, type);
    const loop = this.#readLast;
    if (again || !loop || hasErrorSince(issues, before)) return;
    if (this.#lastType.has(loop)) {
      if (this.#lastType.get(loop) !== 'dyn') this.#site(site, true);
      return;
    }
    const list = this.#readsLast.get(loop);
    if (list) list.push(site);
    else this.#readsLast.set(loop, [site]);
  }

  #refType(site: ExprSite, ref: string, again: boolean): string {
    if (site.locals.has(ref)) {
      const shadowed = ref !== 'input' && !again ? lookupNode(site.scope, ref) : undefined;
      if (shadowed && !(site.role === 'compensate_args' && site.owner?.id === ref))
        this.#c.issues.warn(
          site.pointer,
          'shadowed_name',
          `"${ref}" here means the local variable, not node "${ref}" (at ${shadowed.pointer}); rename the node to use it`,
        );
      return this.#localType(site, ref, again);
    }
    const target = lookupNode(site.scope, ref);
    if (!target) return 'dyn'; // Reported by the graph as unresolved.
    return this.#nodeType.get(target) ?? 'dyn';
  }

  #localType(site: ExprSite, ref: string, again: boolean): string {
    const owner = site.owner;
    if (site.role === 'compensate_args' && owner && ref === owner.id) return this.#toolType(owner);
    if ((site.role === 'next' || site.role === 'items') && ref === 'page' && owner) {
      const tool = this.#c.toolOf.get(owner);
      return tool?.outputSchema ? this.#c.types.known(tool.outputSchema) : 'dyn';
    }
    if (site.role === 'paginate_args' && ref === 'cursor') return 'dyn';
    // `score` is checked after the branches, so their types are known.
    if (site.role === 'score' && ref === 'result')
      return owner ? this.#raceResultType(owner) : 'dyn';
    for (let l: ListScope | null = site.scope; l; l = l.parent) {
      if (!l.locals.has(ref)) break;
      const o = l.owner;
      if (l.role === 'do' && o?.kind === 'map') {
        const as = (o.node as { as?: unknown }).as;
        if (ref === (typeof as === 'string' ? as : 'item')) return this.#itemType.get(o) ?? 'dyn';
        if (ref === 'index') return 'dyn';
      }
      if (l.role === 'catch' && ref === 'error') return this.#errorType;
      if (l.role === 'loop' && ref === 'iteration') return 'dyn';
      if (l.role === 'loop' && ref === 'last' && o) {
        this.#readLast = o;
        return again ? (this.#lastType.get(o) ?? 'dyn') : 'dyn';
      }
    }
    if (ref === 'input') return this.#c.inputType;
    return 'dyn';
  }

  #toolType(node: GraphNode): string {
    const tool = this.#c.toolOf.get(node);
    return tool?.outputSchema ? this.#c.types.known(tool.outputSchema) : 'dyn';
  }

  #report(site: ExprSite, result: TypeCheckResult, onlyFields = false): void {
    const err = result.error as
      | (Error & { code?: string; node?: { args?: unknown[] } })
      | undefined;
    const first = (err?.message ?? 'invalid expression').split('\n')[0]!;
    const where = `in ${preview(site.text, 120)}`;
    if (err?.code === 'no_such_key') {
      const args = err.node?.args ?? [];
      const field = String(args[1] ?? '');
      const left = args[0] as { checkedType?: { name?: string } } | undefined;
      const info = left?.checkedType?.name ? this.#c.types.info(left.checkedType.name) : undefined;
      if (info) {
        this.#c.issues.error(
          site.pointer,
          'no_such_field',
          `${where}: "${field}" is not a field of ${info.origin} (declared by the tool's output schema); its fields: ${info.fields.join(', ')}.${didYouMean(field, info.fields)}`,
        );
        return;
      }
    }
    if (onlyFields) return;
    const hint =
      err?.code === 'no_such_overload'
        ? ' CEL does not convert types by itself: use string(x), double(x) or int(x); numbers from JSON are doubles.'
        : '';
    this.#c.issues.error(site.pointer, 'expression_type', `${where}: ${first}.${hint}`);
  }

  /** The expression's type against what its place needs. */
  #fits(site: ExprSite, type: string): void {
    const { issues, types } = this.#c;
    if (CONDITION_ROLES.has(site.role)) {
      if (type !== 'bool' && type !== 'dyn')
        issues.error(
          site.pointer,
          'not_boolean',
          `${site.role} must be a boolean expression; ${preview(site.text)} is ${site.whole ? describeCelType(type, types) : 'a template, which always gives a string'}. Compare it, e.g. "\${x != null}" or "\${x > 0}".`,
        );
      return;
    }
    if (site.role === 'map' || site.role === 'items') {
      if (!isListType(type) && type !== 'dyn')
        issues.error(
          site.pointer,
          'not_a_list',
          `${site.role} must give a list; ${preview(site.text)} is ${site.whole ? describeCelType(type, types) : 'a template, which always gives a string'}`,
        );
      return;
    }
    if (site.role === 'score') {
      if (!['int', 'uint', 'double', 'dyn'].includes(type))
        issues.error(
          site.pointer,
          'not_a_number',
          `score must give a number; ${preview(site.text)} is ${describeCelType(type, types)}`,
        );
      return;
    }
    if (!ARG_ROLES.has(site.role) || !site.owner) return;
    const expected = this.#expectedArg(site);
    if (!expected || celTypeFits(expected.schema, type, types)) return;
    const what = site.whole
      ? describeCelType(type, types)
      : 'a template, which always gives a string';
    issues.error(
      site.pointer,
      'arg_wrong_type',
      `${expected.label} of tool "${expected.tool}" expects ${describeSchema(expected.schema)}, but ${preview(site.text)} is ${what}.${conversionHint(expected.schema, site.whole ? type : 'string')}`,
    );
  }

  #expectedArg(
    site: ExprSite,
  ): { schema: Record<string, unknown>; tool: string; label: string } | undefined {
    const owner = site.owner!;
    const raw = owner.node as unknown as Record<string, unknown>;
    let base: string;
    let toolName: unknown;
    if (site.role === 'args') {
      base = `${owner.pointer}/args`;
      toolName = raw.call;
    } else if (site.role === 'compensate_args') {
      base = `${owner.pointer}/compensate/args`;
      toolName = (raw.compensate as Record<string, unknown> | undefined)?.call;
    } else if (site.role === 'paginate_args') {
      base = `${owner.pointer}/paginate/args`;
      toolName = (raw.paginate as Record<string, unknown> | undefined)?.call;
    } else {
      const m = /\/fallback\/(\d+)\/args(?:\/|$)/.exec(site.pointer.slice(owner.pointer.length));
      if (!m) return undefined;
      base = `${owner.pointer}/fallback/${m[1]}/args`;
      const alt = Array.isArray(raw.fallback) ? raw.fallback[Number(m[1])] : undefined;
      toolName = (alt as Record<string, unknown> | undefined)?.call;
    }
    if (typeof toolName !== 'string' || !site.pointer.startsWith(`${base}/`)) return undefined;
    const tool = this.#c.registry.get(toolName);
    if (!tool) return undefined;
    const segs = site.pointer
      .slice(base.length + 1)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const schema = schemaAt(tool.inputSchema, segs);
    return schema ? { schema, tool: tool.name, label: `argument "${segs.join('.')}"` } : undefined;
  }
}

function hasErrorSince(issues: IssueList, start: number): boolean {
  for (let i = start; i < issues.items.length; i++)
    if (issues.items[i]!.severity === 'error') return true;
  return false;
}
