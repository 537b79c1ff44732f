import type { CompiledExpression } from '../expr/expression.ts';
import { expressionBudget } from '../expr/expression-budget.ts';
import { linearRegexProblem } from '../expr/linear-regex.ts';
import { MAX_VALUE_DEPTH } from '../expr/nesting.ts';
import type { ExprSite } from '../plan/plan-graph.ts';
import { estimateCost } from './expression-cost.ts';
import type { IssueList } from './issues.ts';

/** Comprehensions nested deeper than this are refused: four levels over 100 items is 10^8 steps. */
export const MAX_COMPREHENSION_NESTING = 3;

/**
 * Refuses, before anything runs, what is visibly too costly: plan values nested deeper than
 * the compiler and journal can walk (`checkValueDepth`, before any recursive walk), and
 * expressions whose literals multiply out past the runtime budget, comprehensions nested too
 * deeply, `matches()` patterns that are not RE2 (`checkExpressionCost`, on the plan graph's
 * parsed expressions).
 *
 * checkValueDepth: checks every value's nesting; false when one is too deep for the
 * recursive walks that follow.
 */
export function checkValueDepth(nodes: readonly unknown[], issues: IssueList): boolean {
  let walkable = true;
  // [value, pointer, depth of the value if it is an array or object, is it a plan node]
  const stack: Array<[unknown, string, number, boolean]> = [];
  const pushNodes = (list: readonly unknown[], pointer: string) => {
    for (let i = list.length - 1; i >= 0; i--) stack.push([list[i], `${pointer}/${i}`, 1, true]);
  };
  pushNodes(nodes, '/nodes');
  while (stack.length > 0) {
    const [value, pointer, depth, isNode] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (isNode && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value).reverse()) {
        const at = `${pointer}/${escapePointer(key)}`;
        if (BODY_KEYS.has(key) && Array.isArray(child)) pushNodes(child, at);
        else if (key === 'switch' && Array.isArray(child)) pushCases(child, at, stack, pushNodes);
        else if (child !== null && typeof child === 'object') stack.push([child, at, 1, false]);
      }
      continue;
    }
    if (depth > MAX_VALUE_DEPTH) {
      walkable = false;
      issues.error(
        pointer,
        'value_too_deep',
        `this value nests arrays and objects more than ${MAX_VALUE_DEPTH} levels deep; flatten it, or have a tool build it`,
      );
      continue;
    }
    // Only arrays and objects go on the stack: scalars cannot be too deep.
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const child: unknown = value[i];
        if (child !== null && typeof child === 'object') {
          stack.push([child, `${pointer}/${i}`, depth + 1, false]);
        }
      }
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const child = (value as Record<string, unknown>)[keys[i]!];
      if (child !== null && typeof child === 'object') {
        stack.push([child, `${pointer}/${escapePointer(keys[i]!)}`, depth + 1, false]);
      }
    }
  }
  return walkable;
}

/** Fields that hold a body of plan nodes (each node's own values are measured from 1). */
const BODY_KEYS = new Set(['do', 'race', 'loop', 'try', 'catch', 'finally']);

function pushCases(
  cases: readonly unknown[],
  pointer: string,
  stack: Array<[unknown, string, number, boolean]>,
  pushNodes: (list: readonly unknown[], pointer: string) => void,
): void {
  cases.forEach((c, i) => {
    const at = `${pointer}/${i}`;
    if (c === null || typeof c !== 'object' || Array.isArray(c)) {
      stack.push([c, at, 1, false]);
      return;
    }
    for (const [key, child] of Object.entries(c)) {
      if (key === 'do' && Array.isArray(child)) pushNodes(child, `${at}/do`);
      else stack.push([child, `${at}/${escapePointer(key)}`, 1, false]);
    }
  });
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Refuses the expressions (already parsed by the plan graph) that are visibly too costly. */
export function checkExpressionCost(sites: readonly ExprSite[], issues: IssueList): void {
  for (const site of sites) {
    for (const expr of site.exprs) checkExpression(expr, site.pointer, issues);
  }
}

function checkExpression(expr: CompiledExpression, pointer: string, issues: IssueList): void {
  const source = expr.source;
  const cost = estimateCost(expr.ast);
  const budget = expressionBudget();
  const shown = source.length > 80 ? `${source.slice(0, 77)}...` : source;
  if (cost.comprehensions > MAX_COMPREHENSION_NESTING) {
    issues.error(
      pointer,
      'comprehension_too_nested',
      `\${${shown}} nests ${cost.comprehensions} comprehensions (map, filter, all, exists); at most ${MAX_COMPREHENSION_NESTING} are allowed: split the work over nodes (a map node per level)`,
    );
  }
  if (cost.steps > budget.steps) {
    issues.error(
      pointer,
      'expression_too_costly',
      `\${${shown}} takes about ${cost.steps.toExponential(1)} steps; at most ${budget.steps} are allowed per evaluation: iterate with a map node, or filter with a tool`,
    );
  } else if (cost.size > budget.size) {
    issues.error(
      pointer,
      'expression_too_costly',
      `\${${shown}} builds a value of about ${cost.size.toExponential(1)} units; at most ${budget.size} are allowed per evaluation`,
    );
  }
  for (const pattern of cost.patterns) {
    const problem = linearRegexProblem(pattern);
    if (problem) {
      issues.error(
        pointer,
        'invalid_regex',
        `matches() pattern ${JSON.stringify(pattern.slice(0, 80))} is not RE2 syntax (${problem.slice(0, 120)}); backreferences and lookaround are not supported`,
      );
    }
  }
}
