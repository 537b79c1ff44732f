import type { JsonSchema } from '../tool/tool.ts';

const MAX_DEPTH = 64;
/** Expanded nodes at most: shared refs in a wide schema must not grow it without bound. */
const MAX_NODES = 20_000;

/** Resolves a local JSON pointer (`#/$defs/Item`, `#/definitions/x~1y`, `#`) in `root`. */
export function resolveLocalRef(root: unknown, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let at: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const seg = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!at || typeof at !== 'object' || !Object.hasOwn(at, seg)) return undefined;
    at = (at as Record<string, unknown>)[seg];
  }
  return at;
}

/**
 * A copy of `schema` with every local `$ref` replaced by what it points at, so that the
 * static argument check and CEL typing (which read plain `properties`/`items`) see the
 * real shape of a tool's schema. Why not in the checkers: they stay simple and every
 * consumer sees the same resolution.
 *
 * A `$ref` met again while it is being expanded (a recursive type) is kept as is, and the
 * root's `$defs`/`definitions` are kept then so the runtime validator can still follow it;
 * the checkers read a bare `$ref` as "any value". Remote refs (`http://...`) are never
 * fetched: they too stay as they are. Sibling keywords of a `$ref` (2019-09 and later) are
 * merged over the target. Pure; the input is not changed.
 */
export function derefSchema(schema: JsonSchema): JsonSchema {
  if (!containsRef(schema, 0)) return schema;
  let keptCycle = false;
  let budget = MAX_NODES;
  const walk = (node: unknown, active: readonly string[], depth: number): unknown => {
    if (depth > MAX_DEPTH || !node || typeof node !== 'object') return node;
    if (--budget < 0) {
      keptCycle = true;
      return node;
    }
    if (Array.isArray(node)) return node.map((n) => walk(n, active, depth + 1));
    const obj = node as Record<string, unknown>;
    const ref = obj.$ref;
    if (typeof ref === 'string') {
      const target = resolveLocalRef(schema, ref);
      if (target === undefined || active.includes(ref) || active.length > 32) {
        if (target !== undefined) keptCycle = true;
        return copyObject(obj, active, depth);
      }
      const { $ref: _drop, ...siblings } = obj;
      const resolved = walk(target, [...active, ref], depth + 1);
      if (Object.keys(siblings).length === 0) return resolved;
      if (!resolved || typeof resolved !== 'object' || Array.isArray(resolved))
        return copyObject(siblings, active, depth);
      return { ...(resolved as object), ...(copyObject(siblings, active, depth) as object) };
    }
    return copyObject(obj, active, depth);
  };
  const copyObject = (obj: Record<string, unknown>, active: readonly string[], depth: number) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
      // Definitions are read through the refs; copying them expanded would only grow the schema.
      if (depth === 0 && (key === '$defs' || key === 'definitions')) continue;
      out[key] = key === 'const' || key === 'enum' ? value : walk(value, active, depth + 1);
    }
    return out;
  };
  const out = walk(schema, [], 0) as JsonSchema;
  if (keptCycle) {
    if (schema.$defs !== undefined) out.$defs = schema.$defs;
    if (schema.definitions !== undefined) out.definitions = schema.definitions;
  }
  return out;
}

function containsRef(node: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH || !node || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((n) => containsRef(n, depth + 1));
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') return true;
    if (key !== 'const' && key !== 'enum' && containsRef(value, depth + 1)) return true;
  }
  return false;
}
