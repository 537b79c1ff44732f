import type { CelTypes } from './cel-types.ts';

/**
 * The CEL type a node's output has when a later expression reads it. An output crosses
 * JSON on its way (`fromCel`): timestamps, durations and bytes become strings, map keys
 * become strings, and a type the checker invents for an empty literal (`list<T>`) names
 * nothing. Whatever might read differently from what CEL inferred is `dyn`, so the check
 * never rejects what could run.
 */

const KEPT = new Set(['dyn', 'string', 'bool', 'int', 'double']);
const MAX_DEPTH = 8;

/** The type of a literal (no `${ }`) value written in the plan. */
export function literalType(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list<dyn>';
  if (v && typeof v === 'object') return 'map<string, dyn>';
  return 'dyn';
}

/** The type an expression's value has once it is a node's output, read by another node. */
export function outputTypeOf(celType: string, types: CelTypes, depth = 0): string {
  if (KEPT.has(celType) || types.info(celType)) return celType;
  if (depth > MAX_DEPTH) return 'dyn';
  const args = typeArgs(celType, 'list');
  if (args)
    return args.length === 1 ? `list<${outputTypeOf(args[0]!, types, depth + 1)}>` : 'list<dyn>';
  const kv = typeArgs(celType, 'map');
  if (kv) {
    const value =
      kv.length === 2 && kv[0] === 'string' ? outputTypeOf(kv[1]!, types, depth + 1) : 'dyn';
    return `map<string, ${value}>`;
  }
  if (celType === 'list') return 'list<dyn>';
  if (celType === 'map') return 'map<string, dyn>';
  return 'dyn';
}

/** The one type every alternative has (switch cases, race branches, try and catch), or dyn. */
export function commonType(alternatives: readonly string[]): string {
  const first = alternatives[0];
  if (first === undefined) return 'dyn';
  for (const t of alternatives) if (t !== first) return 'dyn';
  return first;
}

/** The top-level arguments of `name<...>`, or undefined when `type` is not one. */
function typeArgs(type: string, name: string): string[] | undefined {
  if (!type.startsWith(`${name}<`) || !type.endsWith('>')) return undefined;
  const inner = type.slice(name.length + 1, -1);
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i];
    if (ch === '<') depth += 1;
    else if (ch === '>') depth -= 1;
    else if (ch === ',' && depth === 0) {
      out.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(inner.slice(start).trim());
  return out;
}
