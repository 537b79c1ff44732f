/**
 * A static upper estimate of what one cel-js AST costs to evaluate: the nodes it evaluates,
 * the size of the value it builds and how deeply its comprehensions nest. Only what the
 * expression itself shows counts (list literals, `cel.bind` names, `+`); data from tools is
 * one unit of unknown length, so a plan is never refused for what its tools might return —
 * the runtime budget covers that.
 */

export interface CostEstimate {
  /** Nodes evaluated, comprehension steps multiplied out. */
  steps: number;
  /** Units of the value built (one per value and per character of a string). */
  size: number;
  /** Deepest nesting of comprehensions (map, filter, all, exists, exists_one). */
  comprehensions: number;
  /** Literal `matches()` patterns, to check against RE2. */
  patterns: string[];
}

interface Est {
  steps: number;
  size: number;
  /** Top-level length when the value is a list of known length. */
  len?: number;
  /** The largest element, when known. */
  item?: Est;
  nesting: number;
}

interface Node {
  op: string;
  args: unknown;
  meta: {
    alternate?: Node;
    macro?: { var?: string; val?: Node; exp?: Node };
  };
}

interface Comprehension {
  iterable: Node;
  init: Node;
  step: Node;
  iterVarName: string;
}

type Env = ReadonlyMap<string, Est>;

const UNIT: Est = { steps: 1, size: 1, nesting: 0 };

export function estimateCost(ast: unknown): CostEstimate {
  const patterns: string[] = [];
  const e = estimate(ast as Node, new Map(), patterns);
  return { steps: e.steps, size: e.size, comprehensions: e.nesting, patterns };
}

function isNode(v: unknown): v is Node {
  return !!v && typeof v === 'object' && typeof (v as Node).op === 'string' && 'meta' in v;
}

/** The nodes among a node's plain arguments (arrays of nodes, map entries as pairs). */
function argNodes(args: unknown): Node[] {
  if (isNode(args)) return [args];
  if (!Array.isArray(args)) return [];
  const out: Node[] = [];
  for (const a of args) out.push(...argNodes(a));
  return out;
}

function maxOf(ests: Est[]): Est | undefined {
  let best: Est | undefined;
  for (const e of ests) if (!best || e.size > best.size) best = e;
  return best;
}

function sum(ests: Est[], pick: (e: Est) => number): number {
  let total = 0;
  for (const e of ests) total += pick(e);
  return total;
}

function nestingOf(ests: Est[]): number {
  let n = 0;
  for (const e of ests) if (e.nesting > n) n = e.nesting;
  return n;
}

function estimate(node: Node, env: Env, patterns: string[]): Est {
  const meta = node.meta;
  if (meta.alternate) return estimate(meta.alternate, env, patterns);
  if (meta.macro) {
    const m = meta.macro;
    if (m.var === undefined || !m.val || !m.exp) return UNIT;
    const val = estimate(m.val, env, patterns);
    const exp = estimate(m.exp, new Map([...env, [m.var, val]]), patterns);
    return { ...exp, steps: val.steps + exp.steps, nesting: Math.max(val.nesting, exp.nesting) };
  }
  switch (node.op) {
    case 'value':
      return {
        steps: 1,
        size: typeof node.args === 'string' ? 1 + node.args.length : 1,
        nesting: 0,
      };
    case 'id': {
      // Reading a bound name costs one step; what it holds was paid for where it was bound.
      const bound = env.get(node.args as string);
      return bound ? { ...bound, steps: 1, nesting: 0 } : UNIT;
    }
    case 'comprehension':
      return comprehension(node.args as Comprehension, env, patterns);
    case 'accuPush':
      return estimate(node.args as Node, env, patterns);
    case 'list': {
      const items = argNodes(node.args).map((n) => estimate(n, env, patterns));
      const item = maxOf(items);
      return {
        steps: 1 + sum(items, (e) => e.steps),
        size: 1 + sum(items, (e) => e.size),
        len: items.length,
        ...(item ? { item } : {}),
        nesting: nestingOf(items),
      };
    }
    case '+': {
      const parts = argNodes(node.args).map((n) => estimate(n, env, patterns));
      const lens = parts.map((p) => p.len);
      const item = maxOf(parts.flatMap((p) => (p.item ? [p.item] : [])));
      return {
        steps: 1 + sum(parts, (e) => e.steps),
        size: sum(parts, (e) => e.size),
        ...(lens.every((l) => l !== undefined) ? { len: sum(parts, (e) => e.len ?? 0) } : {}),
        ...(item ? { item } : {}),
        nesting: nestingOf(parts),
      };
    }
    case '?:': {
      const [c, a, b] = argNodes(node.args).map((n) => estimate(n, env, patterns));
      if (!c || !a || !b) return UNIT;
      const big = a.size >= b.size ? a : b;
      return {
        ...big,
        steps: 1 + c.steps + Math.max(a.steps, b.steps),
        nesting: Math.max(c.nesting, a.nesting, b.nesting),
      };
    }
    default: {
      notePattern(node, patterns);
      const parts = argNodes(node.args).map((n) => estimate(n, env, patterns));
      const size = node.op === 'map' ? 1 + sum(parts, (e) => e.size) : 1;
      return { steps: 1 + sum(parts, (e) => e.steps), size, nesting: nestingOf(parts) };
    }
  }
}

function comprehension(c: Comprehension, env: Env, patterns: string[]): Est {
  const iterable = estimate(c.iterable, env, patterns);
  const init = estimate(c.init, env, patterns);
  const n = iterable.len ?? 1;
  const inner = new Map(env).set(c.iterVarName, iterable.item ?? UNIT);
  const step = estimate(c.step, inner, patterns);
  return {
    steps: iterable.steps + init.steps + n * step.steps,
    size: 1 + n * step.size,
    len: n,
    item: step,
    nesting: Math.max(iterable.nesting, step.nesting + 1),
  };
}

function notePattern(node: Node, patterns: string[]): void {
  if (node.op !== 'rcall') return;
  const [name, , args] = node.args as [unknown, unknown, unknown];
  if (name !== 'matches' || !Array.isArray(args) || args.length !== 1) return;
  const arg = args[0] as Node;
  if (isNode(arg) && arg.op === 'value' && typeof arg.args === 'string') patterns.push(arg.args);
}
