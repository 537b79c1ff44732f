import { chargeSize, chargeStep, checkClock } from './expression-budget.ts';
import { linearMatch } from './linear-regex.ts';

/**
 * Puts the budget into a parsed cel-js AST (8.0.0 has no step counter or hook of its own):
 * each comprehension step charges the size of its subtree, each value the expression builds
 * (list and map literals, `+`, comprehension results) is measured, and `matches()` runs on
 * RE2 (linear time) instead of the backtracking RegExp cel-js calls. The hooks are own
 * `evaluate` properties on AST nodes, which cel-js's evaluator calls as `node.evaluate(ev,
 * node, ctx)`; nothing global is patched.
 */

type Evaluate = (ev: Evaluator, ast: unknown, ctx: unknown) => unknown;
interface Evaluator {
  run(ast: unknown, ctx: unknown): unknown;
}
interface Meta {
  alternate?: CelNode;
  macro?: { evaluate: Evaluate; val?: unknown; exp?: unknown; args?: unknown };
  evaluate: Evaluate;
}
interface CelNode {
  op: string;
  args: unknown;
  readonly meta: Meta;
  evaluate: Evaluate;
}
interface ComprehensionArgs {
  iterable: CelNode;
  init: CelNode;
  step: CelNode;
}

function isNode(value: unknown): value is CelNode {
  return (
    !!value &&
    typeof value === 'object' &&
    typeof (value as CelNode).op === 'string' &&
    'meta' in value
  );
}

/** What the node would evaluate to without our hook, following cel-js's own dispatch. */
function original(node: CelNode): Evaluate {
  const meta = node.meta;
  return (ev, ast, ctx) => {
    if (meta.alternate) return meta.alternate.evaluate(ev, meta.alternate, ctx);
    if (meta.macro) return meta.macro.evaluate(ev, meta.macro, ctx);
    return meta.evaluate(ev, ast, ctx);
  };
}

/** Pushes the nodes directly under `node` (through macro expansions) onto `stack`. */
function pushChildren(node: CelNode, stack: unknown[]): void {
  const meta = node.meta;
  if (meta.alternate) stack.push(meta.alternate);
  else if (meta.macro) {
    const m = meta.macro;
    if (m.exp !== undefined) stack.push(m.val, m.exp);
    else stack.push(m.args);
  } else if (node.op === 'comprehension') {
    const a = node.args as ComprehensionArgs;
    stack.push(a.iterable, a.init, a.step);
  } else stack.push(node.args);
}

/**
 * Every node reachable from `root`, iteratively (the AST may be deep). cel-js's ASTs are
 * trees, macro expansions included, so no node is met twice.
 */
function nodesOf(root: unknown): CelNode[] {
  const out: CelNode[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) stack.push(item[i]);
    } else if (isNode(item)) {
      out.push(item);
      pushChildren(item, stack);
    }
  }
  return out;
}

/** Installs the budget hooks in a freshly parsed AST. */
export function instrumentAst(root: unknown): void {
  const nodes = nodesOf(root);
  // The accumulator a comprehension starts from is pushed into in place: measuring (and so
  // memoising the size of) that list would be wrong; the finished result is measured.
  const inits = new Set<CelNode>();
  for (const node of nodes) {
    if (node.op !== 'comprehension') continue;
    const args = node.args as ComprehensionArgs;
    inits.add(args.init);
    const step = args.step;
    const weight = nodesOf(step).length;
    const evalStep = original(step);
    step.evaluate = (ev, ast, ctx) => {
      chargeStep(weight);
      return evalStep(ev, ast, ctx);
    };
  }
  for (const node of nodes) {
    const op = node.op;
    if (op === 'rcall' && !node.meta.alternate && !node.meta.macro && isMatches(node)) {
      const [, receiver, [pattern]] = node.args as [string, CelNode, [CelNode]];
      node.evaluate = (ev, _ast, ctx) => {
        const result = linearMatch(ev.run(receiver, ctx), ev.run(pattern, ctx));
        checkClock();
        return result;
      };
    } else if (BUILDS.has(op)) {
      if (inits.has(node)) continue;
      const evalNode = original(node);
      node.evaluate = (ev, ast, ctx) => chargeSize(evalNode(ev, ast, ctx));
    } else if (HEAVY.has(op) && !node.meta.macro) {
      const evalNode = original(node);
      node.evaluate = (ev, ast, ctx) => {
        const result = evalNode(ev, ast, ctx);
        checkClock();
        return result;
      };
    }
  }
}

/** Operations that build a value whose size grows (literals, `+`, comprehension results). */
const BUILDS = new Set(['list', 'map', '+', 'comprehension']);

/** Operations whose cost grows with their operands (calls, membership, deep equality). */
const HEAVY = new Set(['call', 'rcall', 'in', '==', '!=']);

function isMatches(node: CelNode): boolean {
  const args = node.args as unknown[];
  return (
    Array.isArray(args) &&
    args[0] === 'matches' &&
    isNode(args[1]) &&
    Array.isArray(args[2]) &&
    args[2].length === 1
  );
}
