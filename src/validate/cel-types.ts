import type { Environment, TypeCheckResult } from '@marcbachmann/cel-js';
import { checkBaseEnvironment } from '../expr/cel-environment.ts';

/**
 * CEL types for JSON Schemas, so expressions are checked against the tools' declared
 * outputs. An object with properties becomes a registered type (reading a field it does
 * not declare fails the check); numbers of either kind are doubles, as JSON numbers are at
 * run time; anything that cannot be typed honestly is `dyn`, so the check never rejects
 * what could run.
 *
 * One instance per validation: types are registered first, then `seal()` freezes the
 * environment and each expression is checked in a small clone holding only its names.
 */

export interface TypeInfo {
  /** Where the type comes from, for messages: "output of tool get_user". */
  origin: string;
  fields: string[];
}

const MAX_SCHEMA_DEPTH = 12;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NULLABLE_BASES = ['string', 'double', 'int', 'uint', 'bool', 'list', 'map', 'bytes'];

export class CelTypes {
  readonly #env: Environment;
  #sealed = false;
  readonly #bySchema = new WeakMap<object, string>();
  readonly #info = new Map<string, TypeInfo>();
  readonly #cache = new Map<string, TypeCheckResult>();
  #counter = 0;

  constructor() {
    this.#env = checkBaseEnvironment().clone();
    for (const base of NULLABLE_BASES) this.#nullable(base);
  }

  /** The CEL type of values matching `schema`; registers object types as needed. */
  typeOf(schema: unknown, origin: string): string {
    if (this.#sealed) throw new Error('CelTypes: typeOf after seal');
    return this.#typeOf(schema, origin, 0);
  }

  /** The type registered for `schema` before sealing, or dyn. */
  known(schema: unknown): string {
    return schema && typeof schema === 'object' ? (this.#bySchema.get(schema) ?? 'dyn') : 'dyn';
  }

  info(typeName: string): TypeInfo | undefined {
    return this.#info.get(typeName);
  }

  seal(): void {
    this.#sealed = true;
  }

  /** Type-checks `source` with `vars` (name, type) in scope; results are cached. */
  check(source: string, vars: ReadonlyArray<readonly [string, string]>): TypeCheckResult {
    this.#sealed = true;
    let key = source;
    for (const [name, type] of vars) key += `\u0000${name}:${type}`;
    const hit = this.#cache.get(key);
    if (hit) return hit;
    const env = this.#env.clone();
    for (const [name, type] of vars) env.registerVariable(name, type);
    const result = env.check(source);
    this.#cache.set(key, result);
    return result;
  }

  #nullable(type: string): void {
    try {
      this.#env.registerOperator(`${type} == null`, () => false);
    } catch {
      // Some bases already compare with null.
    }
  }

  #typeOf(schema: unknown, origin: string, depth: number): string {
    if (depth > MAX_SCHEMA_DEPTH || !schema || typeof schema !== 'object' || Array.isArray(schema))
      return 'dyn';
    const s = schema as Record<string, unknown>;
    const known = this.#bySchema.get(s);
    if (known) return known;
    const type = this.#compute(s, origin, depth);
    this.#bySchema.set(s, type);
    return type;
  }

  #compute(s: Record<string, unknown>, origin: string, depth: number): string {
    if (s.$ref !== undefined || s.not !== undefined) return 'dyn';
    const alts = (s.anyOf ?? s.oneOf) as unknown;
    if (Array.isArray(alts)) {
      const nonNull = alts.filter(
        (a) => !(a && typeof a === 'object' && (a as { type?: unknown }).type === 'null'),
      );
      return nonNull.length === 1 ? this.#typeOf(nonNull[0], origin, depth + 1) : 'dyn';
    }
    if (Array.isArray(s.allOf))
      return s.allOf.length === 1 ? this.#typeOf(s.allOf[0], origin, depth + 1) : 'dyn';
    let type = s.type;
    if (Array.isArray(type)) {
      const nonNull = type.filter((t) => t !== 'null');
      if (nonNull.length !== 1) return 'dyn';
      type = nonNull[0];
    }
    if (type === undefined) {
      const values = Array.isArray(s.enum) ? s.enum : 'const' in s ? [s.const] : undefined;
      if (values?.length && values.every((v) => typeof v === 'string')) return 'string';
      if (values?.length && values.every((v) => typeof v === 'number')) return 'double';
      if (s.properties && typeof s.properties === 'object') type = 'object';
      else return 'dyn';
    }
    switch (type) {
      case 'string':
        return 'string';
      case 'number':
      case 'integer':
        return 'double';
      case 'boolean':
        return 'bool';
      case 'array': {
        const items = s.items;
        return items && typeof items === 'object' && !Array.isArray(items)
          ? `list<${this.#typeOf(items, `${origin}[]`, depth + 1)}>`
          : 'list<dyn>';
      }
      case 'object':
        return this.#objectType(s, origin, depth);
      default:
        return 'dyn';
    }
  }

  #objectType(s: Record<string, unknown>, origin: string, depth: number): string {
    const props = s.properties;
    const extra = s.additionalProperties;
    const open =
      extra === true || (extra !== undefined && extra !== false && typeof extra === 'object');
    if (!props || typeof props !== 'object' || Object.keys(props).length === 0 || open) {
      const value =
        extra && typeof extra === 'object' ? this.#typeOf(extra, `${origin}{}`, depth + 1) : 'dyn';
      return `map<string, ${value}>`;
    }
    const names = Object.keys(props);
    // Fields a dot cannot reach would still type-check through [""], but keep it simple:
    // an object with such names stays an untyped map.
    if (!names.every((n) => IDENT.test(n))) return 'map<string, dyn>';
    const fields: Record<string, string> = {};
    for (const name of names)
      fields[name] = this.#typeOf(
        (props as Record<string, unknown>)[name],
        `${origin}.${name}`,
        depth + 1,
      );
    const typeName = this.#name(origin);
    try {
      this.#env.registerType(typeName, { fields });
    } catch {
      return 'map<string, dyn>';
    }
    this.#nullable(typeName);
    this.#info.set(typeName, { origin, fields: names });
    return typeName;
  }

  #name(origin: string): string {
    const base = origin
      .replace(/\[\]|\{\}/g, '.item')
      .replace(/[^A-Za-z0-9_.]/g, '_')
      .split('.')
      .filter(Boolean)
      .map((seg) => (/^[A-Za-z_]/.test(seg) ? seg : `_${seg}`))
      .join('.');
    this.#counter += 1;
    const name = base && !this.#info.has(base) ? base : `${base || 'T'}.t${this.#counter}`;
    return name;
  }
}

/** Element type of a list type string, or dyn. */
export function elementType(type: string): string {
  const m = /^list<(.*)>$/.exec(type);
  return m ? m[1]! : 'dyn';
}

export function isListType(type: string): boolean {
  return type === 'list' || type.startsWith('list<');
}

export function isMapType(type: string): boolean {
  return type === 'map' || type.startsWith('map<');
}
