import { buildPlanGraph, type GraphNode } from '../plan/plan-graph.ts';
import type { PlanT } from '../plan/plan-schema.ts';
import type { RegisteredTool, ToolRegistry } from '../tool/registry.ts';
import { CelTypes } from './cel-types.ts';
import { ExpressionChecker } from './check-expressions.ts';
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

export interface ValidationResult {
  /** True when there is no error (warnings may remain). */
  valid: boolean;
  /** Errors and warnings, each at a JSON pointer into the plan. */
  issues: PlanIssue[];
  /** The plan, typed, when valid. */
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
    parsed = parsePlanText(text, issues);
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

  const graph = buildPlanGraph(plan);
  for (const p of graph.problems) issues.error(p.pointer, p.code, p.message);

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
  const inputType = opts.inputSchema ? types.typeOf(opts.inputSchema, 'input') : 'dyn';
  types.seal();
  new ExpressionChecker({ graph, types, issues, toolOf, registry, inputType }, errorType).run();
}

function finish(issues: IssueList, plan: unknown, opts: ResolvedOptions): ValidationResult {
  const valid = !issues.hasErrors;
  let list = issues.items;
  if (list.length > opts.maxIssues) {
    // Errors first, so a long list of warnings cannot hide what must be fixed.
    const sorted = [
      ...list.filter((i) => i.severity === 'error'),
      ...list.filter((i) => i.severity === 'warning'),
    ];
    list = sorted.slice(0, opts.maxIssues);
    list.push({
      path: '',
      code: 'too_many_issues',
      message: `${issues.items.length - opts.maxIssues} more issues are not listed; fix these first`,
      severity: 'warning',
    });
  }
  return valid ? { valid, issues: list, plan: plan as PlanT } : { valid, issues: list };
}

function describe(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return 'unprintable error';
  }
}
