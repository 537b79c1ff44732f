// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import type { TypeCheckResult } from '@marcbachmann/cel-js';
import type { TypeCx } from '../plan/kinds/type-port.ts';
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

export class ExpressionChecker {
  readonly #c: ExpressionContext;
  readonly #nodeType = new Map<GraphNode, string>();
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
      if (site.part.late) later.push(site);
      else this.#site(site);
    }
    const raw = node.node as unknown as Record<string, unknown>;
    for (const body of node.bodies) this.#list(body);
    if (node.bodies.length > 0) this.#typeLast(node);
    for (const site of later) this.#site(site);
    checkLiteralConditions(node, raw, this.#c.issues);
    this.#nodeType.set(node, node.def ? node.def.types.output(this.#typesOf(node)) : 'dyn');
  }

  /** What the node's kind sees of the types inferred so far. */
  #typesOf(node: GraphNode, readsLast?: (loop: GraphNode) => string): TypeCx {
    const raw = node.node as unknown as Record<string, unknown>;
    const bodies = (role: string) => node.bodies.filter((b) => b.role === role);
    return {
      node: raw,
      errorType: this.#errorType,
      siteAt: (key) => {
        const pointer = `${node.pointer}/${key}`;
        const site = node.sites.find((s) => s.pointer === pointer);
        return site && this.#siteType.get(site);
      },
      body: (role) => this.#bodyType(bodies(role)[0]),
      bodies: (role) => bodies(role).map((b) => this.#bodyType(b)),
      branches: (role) => (bodies(role)[0]?.nodes ?? []).map((n) => this.#nodeType.get(n) ?? 'dyn'),
      deferredBody: () => (readsLast ? readsLast(node) : 'dyn'),
      tool: () => this.#toolType(node),
      common: commonType,
      literal: literalType,
      outputOf: (t) => outputTypeOf(t, this.#c.types),
      element: elementType,
      isList: isListType,
    };
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
      if (shadowed && !(site.part.bindsSelf && site.owner?.id === ref))
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
    // A name the site binds itself (`cursor`, `page`, `result`, its node's own id).
    if (
      owner?.def &&
      (site.part.binds?.includes(ref) || (site.part.bindsSelf && ref === owner.id))
    ) {
      const t = owner.def.types.local(ref, site.role, this.#typesOf(owner));
      if (t !== undefined) return t;
    }
    const readsLast = (loop: GraphNode): string => {
      this.#readLast = loop;
      return again ? (this.#lastType.get(loop) ?? 'dyn') : 'dyn';
    };
    for (let l: ListScope | null = site.scope; l; l = l.parent) {
      if (!l.locals.has(ref)) break;
      const o = l.owner;
      const t = o?.def?.types.local(ref, l.role, this.#typesOf(o, readsLast));
      if (t !== undefined) return t;
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
      const field = fieldName(args[1]);
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
    const expects = site.part.expects;
    if (expects === 'bool') {
      if (type !== 'bool' && type !== 'dyn')
        issues.error(
          site.pointer,
          'not_boolean',
          `${site.role} must be a boolean expression; ${preview(site.text)} is ${site.whole ? describeCelType(type, types) : 'a template, which always gives a string'}. Compare it, e.g. "\${x != null}" or "\${x > 0}".`,
        );
      return;
    }
    if (expects === 'list') {
      if (!isListType(type) && type !== 'dyn')
        issues.error(
          site.pointer,
          'not_a_list',
          `${site.role} must give a list; ${preview(site.text)} is ${site.whole ? describeCelType(type, types) : 'a template, which always gives a string'}`,
        );
      return;
    }
    if (expects === 'number') {
      if (!['int', 'uint', 'double', 'dyn'].includes(type))
        issues.error(
          site.pointer,
          'not_a_number',
          `score must give a number; ${preview(site.text)} is ${describeCelType(type, types)}`,
        );
      return;
    }
    if (typeof expects !== 'object' || !site.owner) return;
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
    const expects = site.part.expects;
    if (typeof expects !== 'object' || !site.owner) return undefined;
    const base = `${site.owner.pointer}/${site.part.key}`;
    const toolName = expects.args;
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

/** The field an access names: `a.b` holds the name, `a['b']` a string literal node. */
function fieldName(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object') {
    const a = arg as { op?: unknown; args?: unknown; value?: unknown };
    if (typeof a.args === 'string') return a.args;
    if (typeof a.value === 'string') return a.value;
  }
  return String(arg ?? '');
}
