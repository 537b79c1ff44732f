/**
 * The commonest plan expression is a bare path into an earlier result (`${user.id}`,
 * `${n3.rows}`). Evaluated here directly, it gives what the CEL evaluator gives, without
 * making a context, metering and converting back: only on plain JSON data, and any case
 * with a doubt (a missing key, a Map, a "constructor" key, a non-JSON value) answers MISS,
 * so CEL evaluates it and words its error exactly as before.
 */
import { runtimeEnvironment } from './cel-environment.ts';

export const MISS: unique symbol = Symbol('path-select-miss');

type AstNode = { op: string; args: unknown };

/** The root name and field names of `a.b.c`, or undefined for any other expression. */
export function pathOf(ast: unknown): readonly string[] | undefined {
  const fields: string[] = [];
  let node = ast as AstNode | undefined;
  while (node && node.op === '.' && Array.isArray(node.args)) {
    const [target, field] = node.args as [AstNode, unknown];
    if (typeof field !== 'string') return undefined;
    fields.push(field);
    node = target;
  }
  if (node?.op !== 'id' || typeof node.args !== 'string') return undefined;
  if (!readsContext(node.args)) return undefined;
  fields.push(node.args);
  return fields.reverse();
}

/**
 * Whether CEL reads `name` from the context: a declared name (the type names `int`,
 * `string`, `type`, ...) is what the environment says, whatever the context holds. (A
 * reserved word never gets here: the parser refuses it as a name.)
 */
function readsContext(name: string): boolean {
  return !runtimeEnvironment().hasVariable(name);
}

function isPlainData(v: object): boolean {
  return (
    Object.getPrototypeOf(v) === Object.prototype &&
    !Object.hasOwn(v, 'constructor') &&
    !Object.hasOwn(v, '__proto__')
  );
}

/** What `a.b.c` reads in `scope`, as a fresh JSON copy; MISS when CEL must decide. */
export function selectPath(scope: Record<string, unknown>, path: readonly string[]): unknown {
  const root = path[0]!;
  if (!Object.hasOwn(scope, root)) return MISS;
  let cur: unknown = scope[root];
  for (let i = 1; i < path.length; i++) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return MISS;
    if (!isPlainData(cur) || !Object.hasOwn(cur, path[i]!)) return MISS;
    cur = (cur as Record<string, unknown>)[path[i]!];
  }
  return jsonCopy(cur, 0);
}

/** Deeper values go through CEL, whose own limits then apply. */
const MAX_COPY_DEPTH = 64;

/** A copy, as CEL's result converted back to JSON is, so no caller shares a tool's output. */
function jsonCopy(v: unknown, depth: number): unknown {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return v;
    case 'object':
      break;
    default:
      return MISS;
  }
  if (v === null) return v;
  if (depth >= MAX_COPY_DEPTH) return MISS;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const item = jsonCopy(v[i], depth + 1);
      if (item === MISS) return MISS;
      out[i] = item;
    }
    return out;
  }
  if (!isPlainData(v)) return MISS;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    const item = jsonCopy((v as Record<string, unknown>)[key], depth + 1);
    if (item === MISS) return MISS;
    out[key] = item;
  }
  return out;
}
