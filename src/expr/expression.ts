import { ExpressionError } from '../errors/runtime-errors.ts';
import { CEL_LIMITS, fromCel, runtimeEnvironment } from './cel-environment.ts';
import { type EvaluationLimits, metered } from './expression-budget.ts';
import { instrumentAst } from './instrument-ast.ts';
import { expressionNesting } from './nesting.ts';
import { MISS, pathOf, selectPath } from './path-select.ts';

/** A parsed CEL expression plus the root names it reads (its dependencies). */
export interface CompiledExpression {
  source: string;
  /** Root identifiers the expression reads, minus names bound inside it by macros. */
  refs: ReadonlySet<string>;
  /** The parsed cel-js AST, for static checks (read only). */
  ast: unknown;
  /** Evaluates under the expression budget; `limits` can end it sooner. */
  run(scope: Record<string, unknown>, limits?: EvaluationLimits): unknown;
}

type AstNode = { op: string; args: unknown };

/** Macros whose first argument names a variable bound within the call. */
const BINDING_MACROS = new Set([
  'map',
  'filter',
  'all',
  'exists',
  'exists_one',
  'transformList',
  'transformMap',
]);

const cache = new Map<string, CompiledExpression>();
const CACHE_LIMIT = 10_000;
let cacheLimit = CACHE_LIMIT;

/**
 * Lets the cache grow without bound until the returned function is called, which trims it
 * back to its usual size (newest entries kept). Compiling a plan parses each expression
 * twice (its graph, then its compiled values): with more distinct expressions than the
 * cache holds, a bounded cache would drop each before its second use. Synchronous callers
 * only: the plan's size is the bound in between.
 */
export function holdExpressionCache(): () => void {
  const before = cacheLimit;
  cacheLimit = Number.POSITIVE_INFINITY;
  return () => {
    cacheLimit = before;
    trimCache();
  };
}

/** Drops the oldest entries (Map order is insertion order) down to the limit. */
function trimCache(): void {
  if (cache.size <= cacheLimit) return;
  for (const key of cache.keys()) {
    cache.delete(key);
    if (cache.size <= cacheLimit) return;
  }
}

/** Parses (cached). Throws ExpressionError with the parser's message on bad syntax. */
export function compileExpression(source: string): CompiledExpression {
  const hit = cache.get(source);
  if (hit) return hit;
  const nesting = expressionNesting(source);
  if (nesting > CEL_LIMITS.maxDepth) {
    // Measured before parsing: the parser recurses per level and would overflow the stack
    // on deep input before its own limit applies.
    throw new ExpressionError(
      `cannot parse \${${preview(source)}}: Exceeded maxDepth (${CEL_LIMITS.maxDepth}): it nests ${nesting} levels deep`,
      { code: 'expression_syntax', retryable: false, details: { expression: source } },
    );
  }
  const path = lazyPath(source);
  let parsed: Parsed | undefined;
  let refs: ReadonlySet<string>;
  if (path) refs = new Set([path[0]!]);
  else {
    parsed = parse(source);
    refs = collectRefs(parsed.ast as AstNode);
  }
  const compiled = new Expression(source, refs, path ?? pathOf(parsed!.ast), parsed);
  // Oldest out, one at a time: clearing all of it at once made a plan with more distinct
  // expressions than the limit miss on nearly every one.
  if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value!);
  cache.set(source, compiled);
  return compiled;
}

type Parsed = ReturnType<ReturnType<typeof runtimeEnvironment>['parse']>;

function parse(source: string): Parsed {
  try {
    return runtimeEnvironment().parse(source);
  } catch (error) {
    throw new ExpressionError(
      `cannot parse \${${preview(source)}}: ${firstLine(error).slice(0, 300)}`,
      {
        code: 'expression_syntax',
        cause: error,
        details: { expression: source },
      },
    );
  }
}

const PATH_SYNTAX = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*){0,7}$/;
/** Words CEL's grammar keeps (literals and reserved names): never a plain path segment. */
const CEL_WORDS = new Set(
  'true false null in as break const continue else for function if import let loop package namespace return var void while __proto__ prototype'.split(
    ' ',
  ),
);

/**
 * The fields of `a.b.c` read from its text alone, or undefined: then the parser decides.
 * Such a path (the commonest plan expression) is parsed only when something needs its
 * syntax tree (the validator's checks) or CEL must evaluate it: a parsed expression costs
 * over a kilobyte, and a plan of 100,000 nodes has tens of thousands of distinct ones.
 */
function lazyPath(source: string): readonly string[] | undefined {
  if (source.length > 200 || !PATH_SYNTAX.test(source)) return undefined;
  const fields = source.split('.');
  for (const f of fields) if (CEL_WORDS.has(f)) return undefined;
  if (runtimeEnvironment().hasVariable(fields[0]!)) return undefined;
  return fields;
}

/**
 * A class rather than closures: one small object per distinct expression, its syntax tree
 * made on first need (the validator's checks, or an evaluation that CEL must do).
 */
class Expression implements CompiledExpression {
  readonly source: string;
  readonly refs: ReadonlySet<string>;
  private readonly path: readonly string[] | undefined;
  private parsed: Parsed | undefined;
  private evaluate: ((context: Record<string, unknown>) => unknown) | undefined;

  constructor(
    source: string,
    refs: ReadonlySet<string>,
    path: readonly string[] | undefined,
    parsed: Parsed | undefined,
  ) {
    this.source = source;
    this.refs = refs;
    this.path = path;
    this.parsed = parsed;
    this.evaluate = undefined;
  }

  get ast(): unknown {
    this.parsed ??= parse(this.source);
    return this.parsed.ast;
  }

  run(scope: Record<string, unknown>, limits?: EvaluationLimits): unknown {
    const path = this.path;
    if (path && !limits?.signal?.aborted) {
      const hit = selectPath(scope, path);
      if (hit !== MISS) return hit;
    }
    const source = this.source;
    if (!this.evaluate) {
      // Hooks go in at the first evaluation: the validator parses every expression and runs none.
      this.parsed ??= parse(source);
      const parsed = this.parsed;
      instrumentAst(parsed.ast);
      this.evaluate = (context) => fromCel(parsed(context));
    }
    // Only the names the expression reads go in, made safe for cel-js once each.
    const context: Record<string, unknown> = {};
    for (const name of this.refs)
      if (Object.hasOwn(scope, name)) context[name] = celSafe(scope[name]);
    try {
      return metered(source, context, limits, this.evaluate);
    } catch (error) {
      if (error instanceof ExpressionError) throw error;
      throw new ExpressionError(
        `\${${preview(source)}} failed: ${firstLine(error).slice(0, 300)}`,
        {
          cause: error,
          details: { expression: source },
          retryable: false,
        },
      );
    }
  }
}

/** Long expressions are cut in messages: they go back to the LLM, which wrote them. */
function preview(source: string): string {
  return source.length > 120 ? `${source.slice(0, 117)}...` : source;
}

const safeCache = new WeakMap<object, unknown>();

/**
 * cel-js reads an object's CEL type from `value.constructor`, which a data key named
 * "constructor" (or "__proto__") shadows: such objects go in as Maps so plain data stays
 * usable. Results are cached per object, so each tool output is walked once.
 */
export function celSafe(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const cached = safeCache.get(value);
  if (cached !== undefined) return cached;
  let out: unknown = value;
  if (Array.isArray(value)) {
    const items = value.map(celSafe);
    if (items.some((v, i) => v !== value[i])) out = items;
  } else if (
    Object.getPrototypeOf(value) === Object.prototype ||
    Object.getPrototypeOf(value) === null
  ) {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    const entries = keys.map((k) => [k, celSafe(obj[k])] as const);
    if (
      Object.hasOwn(obj, 'constructor') ||
      Object.hasOwn(obj, '__proto__') ||
      Object.getPrototypeOf(value) === null
    ) {
      out = new Map(entries);
    } else if (entries.some(([k, v]) => v !== obj[k])) {
      out = Object.fromEntries(entries);
    }
  }
  safeCache.set(value, out);
  return out;
}

export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/** Root identifiers read by an AST, ignoring names bound by comprehension macros. */
export function collectRefs(ast: AstNode): Set<string> {
  const refs = new Set<string>();
  const walk = (node: unknown, bound: ReadonlySet<string>): void => {
    if (Array.isArray(node)) {
      for (const child of node) walk(child, bound);
      return;
    }
    if (!node || typeof node !== 'object' || !('op' in node)) return;
    const { op, args } = node as AstNode;
    if (op === 'id') {
      if (typeof args === 'string' && !bound.has(args)) refs.add(args);
      return;
    }
    if (op === 'rcall' && Array.isArray(args)) {
      const [name, receiver, callArgs] = args as [string, AstNode, unknown[]];
      const isBind = name === 'bind' && receiver?.op === 'id' && receiver.args === 'cel';
      if ((isBind || BINDING_MACROS.has(name)) && Array.isArray(callArgs) && isId(callArgs[0])) {
        const name0 = (callArgs[0] as AstNode).args as string;
        if (!isBind) walk(receiver, bound);
        // cel.bind(x, init, body): init is outside the binding; for macros every later
        // argument (predicate, transform) sees the bound name.
        const scoped = isBind ? callArgs.slice(2) : callArgs.slice(1);
        if (isBind) walk(callArgs[1], bound);
        walk(scoped, new Set([...bound, name0]));
        return;
      }
    }
    walk(args, bound);
  };
  walk(ast, new Set());
  return refs;
}

function isId(node: unknown): boolean {
  return !!node && typeof node === 'object' && (node as AstNode).op === 'id';
}

export function clearExpressionCache(): void {
  cache.clear();
}
