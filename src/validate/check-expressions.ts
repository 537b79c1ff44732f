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
import { type IssueList, preview } from './issues.ts';
import { didYouMean } from './suggest.ts';

/**
 * Type-checks every expression in its scope, nodes in dependency order so that each
 * node's output type is known before the nodes that read it: a call is typed by its tool's
 * output schema, a value by its expression, a map by its body. Unknown stays dyn.
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
    for (const site of later) this.#site(site);
    this.#checkLiteralConditions(node, raw);
    this.#nodeType.set(node, this.#outputType(node, raw));
  }

  #mapItemType(node: GraphNode): string {
    const site = node.sites.find((s) => s.role === 'map');
    if (site) return elementType(this.#siteType.get(site) ?? 'dyn');
    return 'dyn';
  }

  #outputType(node: GraphNode, raw: Record<string, unknown>): string {
    const last = (list: ListScope | undefined) => {
      const n = list?.nodes[list.nodes.length - 1];
      return (n && this.#nodeType.get(n)) ?? 'dyn';
    };
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
          return site ? (this.#siteType.get(site) ?? 'dyn') : 'dyn';
        }
        return literalType(v);
      }
      case 'map':
        return `list<${last(node.bodies[0])}>`;
      case 'loop':
        return last(node.bodies[0]);
      case 'try':
        return raw.catch === undefined ? last(node.bodies[0]) : 'dyn';
      case 'race':
        return this.#raceResultType(node);
      case 'paginate': {
        const site = node.sites.find((s) => s.role === 'items' && s.whole);
        const t = site ? this.#siteType.get(site) : undefined;
        return t && isListType(t) ? t : 'list<dyn>';
      }
      default:
        return 'dyn';
    }
  }

  /** A race gives one branch's output: typed only when every branch has the same type. */
  #raceResultType(node: GraphNode): string {
    const types = new Set((node.bodies[0]?.nodes ?? []).map((n) => this.#nodeType.get(n) ?? 'dyn'));
    return types.size === 1 ? [...types][0]! : 'dyn';
  }

  /** Conditions, lists and scores written as plain strings can never work. */
  #checkLiteralConditions(node: GraphNode, raw: Record<string, unknown>): void {
    const { issues } = this.#c;
    const literal = (v: unknown) => typeof v === 'string' && !v.includes('${');
    if (literal(raw.if))
      issues.error(
        `${node.pointer}/if`,
        'not_boolean',
        `"if" must be a boolean expression like "\${user.verified}", got the plain string ${preview(raw.if)}`,
      );
    if (node.kind === 'loop' && literal(raw.while))
      issues.error(
        `${node.pointer}/while`,
        'not_boolean',
        `"while" must be a boolean expression like "\${st.state != 'done'}", got the plain string ${preview(raw.while)}`,
      );
    if (node.kind === 'switch' && Array.isArray(raw.switch))
      raw.switch.forEach((c, i) => {
        const when = c && typeof c === 'object' ? (c as Record<string, unknown>).when : undefined;
        if (literal(when))
          issues.error(
            `${node.pointer}/switch/${i}/when`,
            'not_boolean',
            `"when" must be a boolean expression like "\${stock.count > 0}", got the plain string ${preview(when)}`,
          );
      });
    if (
      node.kind === 'map' &&
      raw.map !== undefined &&
      !Array.isArray(raw.map) &&
      !(typeof raw.map === 'string' && raw.map.includes('${'))
    )
      issues.error(
        `${node.pointer}/map`,
        'not_a_list',
        `"map" must be a list or an expression giving one, like "\${input.user_ids}", got ${preview(raw.map)}`,
      );
    if (node.kind === 'race' && literal(raw.score))
      issues.error(
        `${node.pointer}/score`,
        'not_a_number',
        `"score" must be a number expression with \`result\` in scope, like "\${result.confidence}", got the plain string ${preview(raw.score)}`,
      );
    if (node.kind === 'paginate' && literal(raw.items))
      issues.error(
        `${node.pointer}/items`,
        'not_a_list',
        `"items" must be an expression giving the page's items, like "\${page.items}", got the plain string ${preview(raw.items)}`,
      );
  }

  #site(site: ExprSite): void {
    let type = 'string';
    for (const expr of site.exprs) {
      const vars: Array<[string, string]> = [];
      for (const ref of expr.refs) vars.push([ref, this.#refType(site, ref)]);
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
        this.#report(site, result);
        return;
      }
      if (site.whole) type = result.type ?? 'dyn';
    }
    this.#siteType.set(site, type);
    this.#fits(site, type);
  }

  #refType(site: ExprSite, ref: string): string {
    if (site.locals.has(ref)) {
      const shadowed = ref !== 'input' ? lookupNode(site.scope, ref) : undefined;
      if (shadowed && !(site.role === 'compensate_args' && site.owner?.id === ref))
        this.#c.issues.warn(
          site.pointer,
          'shadowed_name',
          `"${ref}" here means the local variable, not node "${ref}" (at ${shadowed.pointer}); rename the node to use it`,
        );
      return this.#localType(site, ref);
    }
    const target = lookupNode(site.scope, ref);
    if (!target) return 'dyn'; // Reported by the graph as unresolved.
    return this.#nodeType.get(target) ?? 'dyn';
  }

  #localType(site: ExprSite, ref: string): string {
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
      if (l.role === 'loop' && (ref === 'iteration' || ref === 'last')) return 'dyn';
    }
    if (ref === 'input') return this.#c.inputType;
    return 'dyn';
  }

  #toolType(node: GraphNode): string {
    const tool = this.#c.toolOf.get(node);
    return tool?.outputSchema ? this.#c.types.known(tool.outputSchema) : 'dyn';
  }

  #report(site: ExprSite, result: TypeCheckResult): void {
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

function literalType(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list<dyn>';
  if (v && typeof v === 'object') return 'map<string, dyn>';
  return 'dyn';
}

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
