import {
  buildPlanGraph,
  type GraphNode,
  type GraphProblem,
  type ListScope,
  type PlanGraph,
} from '../plan/plan-graph.ts';
import type { PlanT } from '../plan/plan-schema.ts';
import { vouchForPlan } from '../plan/vouched-plan.ts';
import type { RegisteredTool, ToolRegistry } from '../tool/registry.ts';
import { CelTypes } from './cel-types.ts';
import { checkExpressionCost, checkValueDepth } from './check-expression-cost.ts';
import { ExpressionChecker } from './check-expressions.ts';
import { checkMapItems } from './check-map-items.ts';
import { checkNodes, checkPlanShape, measurePlan } from './check-shape.ts';
import { callSitesOf, ToolChecker } from './check-tools.ts';
import {
  DEFAULT_LIMITS,
  IssueList,
  type PlanIssue,
  type ResolvedOptions,
  type ValidateOptions,
} from './issues.ts';
import { parsePlanText } from './parse-plan-text.ts';
import { didYouMean, listNames } from './suggest.ts';

export interface ValidationResult {
  /** True when there is no error (warnings may remain). */
  valid: boolean;
  /** Errors and warnings, each at a JSON pointer into the plan. */
  issues: PlanIssue[];
  /** The plan, typed, when valid. Run it unchanged: executePlan then skips its own parse. */
  plan?: PlanT;
}

/**
 * Checks a plan against the plan format and the tools, before anything runs. Pure; never
 * throws, whatever it is given: a failure of the validator itself is an `internal` issue.
 */
export function validatePlan(
  plan: unknown,
  registry: ToolRegistry,
  options: ValidateOptions = {},
): ValidationResult {
  const issues = new IssueList();
  let opts: ResolvedOptions = { ...DEFAULT_LIMITS };
  try {
    opts = resolveOptions(options);
    run(plan, registry, opts, issues);
  } catch (error) {
    issues.error(
      '',
      'internal',
      `the validator failed on this plan (a bug in toolplan, not in the plan): ${describe(error)}`,
    );
  }
  return finish(issues, plan, opts);
}

/** Parses an LLM's reply (fences and prose tolerated, truncation named), then validates. */
export function validatePlanText(
  text: string,
  registry: ToolRegistry,
  options: ValidateOptions = {},
): ValidationResult {
  const issues = new IssueList();
  let parsed: ReturnType<typeof parsePlanText>;
  try {
    parsed = parsePlanText(text, issues, options?.audience ?? 'llm');
  } catch (error) {
    issues.error('', 'internal', `the validator failed reading the text: ${describe(error)}`);
    parsed = { ok: false };
  }
  if (!parsed.ok) return { valid: false, issues: issues.items };
  const result = validatePlan(parsed.value, registry, options);
  return { ...result, issues: [...issues.items, ...result.issues] };
}

function resolveOptions(options: ValidateOptions): ResolvedOptions {
  const o = (options && typeof options === 'object' ? options : {}) as ValidateOptions;
  const num = (v: unknown, d: number) => (typeof v === 'number' && v > 0 ? v : d);
  return {
    maxNodes: num(o.maxNodes, DEFAULT_LIMITS.maxNodes),
    maxDepth: num(o.maxDepth, DEFAULT_LIMITS.maxDepth),
    maxRetryAttempts: num(o.maxRetryAttempts, DEFAULT_LIMITS.maxRetryAttempts),
    maxIterations: num(o.maxIterations, DEFAULT_LIMITS.maxIterations),
    maxPages: num(o.maxPages, DEFAULT_LIMITS.maxPages),
    maxIssues: num(o.maxIssues, DEFAULT_LIMITS.maxIssues),
    inputSchema: o.inputSchema,
  };
}

function run(
  plan: unknown,
  registry: ToolRegistry,
  opts: ResolvedOptions,
  issues: IssueList,
): void {
  if (!checkPlanShape(plan, issues)) return;
  const nodes = plan.nodes as unknown[];
  const size = measurePlan(nodes, opts.maxDepth + 1);
  if (size.count > opts.maxNodes) {
    issues.error(
      '/nodes',
      'too_many_nodes',
      `the plan has ${size.count} nodes (nested ones included); at most ${opts.maxNodes} are allowed. Use a map node to repeat a step over a list instead of writing one node per item.`,
    );
    return;
  }
  const shape = checkNodes(nodes, opts, issues);
  // Deeper plans are refused before the graph walks them recursively.
  if (shape.maxDepth > opts.maxDepth) return;
  if (!checkValueDepth(nodes, issues)) return;

  const graph = buildPlanGraph(plan);
  for (const p of graph.problems) issues.error(p.pointer, p.code, problemMessage(graph, p));
  checkExpressionCost(graph.sites, issues);
  checkMapItems((plan as { limits?: unknown }).limits, graph, issues);

  const tools = new ToolChecker(registry, issues);
  const toolOf = new Map<GraphNode, RegisteredTool>();
  for (const node of graph.all) {
    for (const site of callSitesOf(node)) {
      const tool = tools.check(site);
      if (tool && (site.label === 'call' || site.label === 'paginate call')) toolOf.set(node, tool);
    }
  }

  const types = new CelTypes();
  const typed = new Set<RegisteredTool>();
  for (const tool of toolOf.values()) {
    if (typed.has(tool) || !tool.outputSchema) continue;
    typed.add(tool);
    types.typeOf(tool.outputSchema, `${tool.name}.output`);
  }
  const errorType = ExpressionChecker.prepare(types);
  // The caller's input schema wins; else the one the plan declares for itself.
  const inputSchema = opts.inputSchema ?? declaredInput(plan);
  const inputType = inputSchema ? types.typeOf(inputSchema, 'input') : 'dyn';
  types.seal();
  new ExpressionChecker({ graph, types, issues, toolOf, registry, inputType }, errorType).run();
}

/**
 * An unknown name is repaired from the names that are visible where it was written: list
 * them (the node ids too, not only the locals) and the closest ones.
 */
function problemMessage(graph: PlanGraph, p: GraphProblem): string {
  if (p.code !== 'unresolved_reference' || !p.ref || graph.byId.has(p.ref)) return p.message;
  const site = graph.sites.find((s) => s.pointer === p.pointer);
  if (!site) return p.message;
  const names = new Set(site.locals);
  const enclosing = new Set<string>();
  if (site.from) enclosing.add(site.from.id);
  for (let l: ListScope | null = site.scope; l; l = l.parent) {
    if (l.owner) enclosing.add(l.owner.id);
    for (const id of l.byId.keys()) names.add(id);
  }
  const visible = [...names].filter((n) => !enclosing.has(n)).sort();
  return `"${p.ref}" is not a node id or a name in scope here; in scope: ${listNames(visible)}.${didYouMean(p.ref, visible)}`;
}

function declaredInput(plan: object): Record<string, unknown> | undefined {
  const input = (plan as { input?: unknown }).input;
  return input && typeof input === 'object' && !Array.isArray(input)
    ? (input as Record<string, unknown>)
    : undefined;
}

function finish(issues: IssueList, plan: unknown, opts: ResolvedOptions): ValidationResult {
  const valid = !issues.hasErrors;
  let list = sortByPath(issues.items);
  if (list.length > opts.maxIssues) {
    // Errors first, so a long list of warnings cannot hide what must be fixed.
    const sorted = [
      ...list.filter((i) => i.severity === 'error'),
      ...list.filter((i) => i.severity === 'warning'),
    ];
    list = sortByPath(sorted.slice(0, opts.maxIssues));
    list.push({
      path: '',
      code: 'too_many_issues',
      message: `${issues.items.length - opts.maxIssues} more issues are not listed; fix these first`,
      severity: 'warning',
    });
  }
  if (!valid) return { valid, issues: list };
  vouchForPlan(plan as object);
  return { valid, issues: list, plan: plan as PlanT };
}

/**
 * Issues in the order of the plan: by JSON pointer, segment by segment, indexes as numbers
 * (`/nodes/2` before `/nodes/10`). Stable, so issues at one path keep the order found.
 */
export function sortByPath<T extends { path: string }>(list: readonly T[]): T[] {
  const keyed = list.map((item, i) => ({ item, i, segs: item.path.split('/').slice(1) }));
  keyed.sort((a, b) => comparePointers(a.segs, b.segs) || a.i - b.i);
  return keyed.map((k) => k.item);
}

function comparePointers(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function describe(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return 'unprintable error';
  }
}
