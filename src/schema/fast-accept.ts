/**
 * A yes-or-"ask the full validator" check, compiled once per schema into closures, for the
 * keywords tool schemas mostly use (type, properties, required, additionalProperties, items,
 * enum and const of scalars, numeric and length bounds). It answers `true` only when the
 * full validator (@cfworker/json-schema) would find the value valid; anything it is unsure
 * of (another keyword, a non-JSON value, a failure) answers `false`, and the caller then
 * runs the full validator for the exact issues. So a valid call costs a walk of the value
 * the schema describes, not an interpretation of the schema building a JSON pointer per
 * property; an invalid one costs what it did before. Schemas are data, never code.
 */
import type { JsonSchema } from '../tool/tool.ts';

/** True: valid for sure. False: not known, ask the full validator. */
export type Accept = (value: unknown) => boolean;

/** Keywords that only annotate: no validator asserts them. */
const ANNOTATIONS = new Set([
  'title',
  'description',
  'default',
  'examples',
  '$comment',
  '$schema',
  'deprecated',
  'readOnly',
  'writeOnly',
]);

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null', 'object', 'array']);

/** Deeper schemas are left to the full validator (they are rare, and the walk recurses). */
const MAX_DEPTH = 32;

/**
 * Compiles `schema` into an Accept, or undefined when it uses a keyword (or a form of one)
 * this does not know, in which case every value goes to the full validator. With
 * `strictObjects`, an object schema that lists `properties` and leaves `additionalProperties`
 * unset is closed, as `checkValue(..., { strictObjects: true })` reads it.
 */
export function compileAccept(schema: JsonSchema, strictObjects: boolean): Accept | undefined {
  return compileNode(schema, strictObjects, 0);
}

function compileNode(s: unknown, strict: boolean, depth: number): Accept | undefined {
  if (s === true) return isJsonScalarOrContainer;
  if (depth > MAX_DEPTH || s === null || typeof s !== 'object' || Array.isArray(s)) return;
  const sc = s as Record<string, unknown>;
  for (const key of Object.keys(sc)) if (!KNOWN.has(key) && !ANNOTATIONS.has(key)) return;
  const checks: Accept[] = [];
  const type = typeCheck(sc.type);
  if (type === null) return;
  if (type) checks.push(type);
  const equal = equalityCheck(sc);
  if (equal === null) return;
  if (equal) checks.push(equal);
  const bounds = boundsCheck(sc);
  if (bounds === null) return;
  if (bounds) checks.push(bounds);
  const items = sc.items === undefined ? undefined : compileNode(sc.items, strict, depth + 1);
  if (sc.items !== undefined && !items) return;
  if (items) checks.push((v) => !Array.isArray(v) || v.every(items));
  const object = objectCheck(sc, strict, depth);
  if (object === null) return;
  if (object) checks.push(object);
  return all(checks);
}

const KNOWN = new Set([
  'type',
  'enum',
  'const',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'items',
  'properties',
  'required',
  'additionalProperties',
]);

/** The value is one the full validator can read (it throws on undefined, functions, ...). */
function isJsonScalarOrContainer(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object':
      return v === null || Array.isArray(v) || isPlainObject(v);
    default:
      return false;
  }
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function all(checks: Accept[]): Accept {
  if (checks.length === 0) return isJsonScalarOrContainer;
  if (checks.length === 1) {
    const only = checks[0]!;
    return (v) => isJsonScalarOrContainer(v) && only(v);
  }
  return (v) => {
    if (!isJsonScalarOrContainer(v)) return false;
    for (let i = 0; i < checks.length; i++) if (!checks[i]!(v)) return false;
    return true;
  };
}

/** undefined: no check; null: a form not known. */
function typeCheck(type: unknown): Accept | undefined | null {
  if (type === undefined) return undefined;
  const types = Array.isArray(type) ? type : [type];
  if (types.length === 0 || !types.every((t) => typeof t === 'string' && TYPES.has(t))) return null;
  const set = new Set(types as string[]);
  return (v) => set.has(jsonType(v)) || (set.has('integer') && Number.isInteger(v));
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function isScalar(v: unknown): boolean {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

/** enum and const of scalars, compared with ===, as a deep comparison does for scalars. */
function equalityCheck(sc: Record<string, unknown>): Accept | undefined | null {
  const checks: Accept[] = [];
  if ('const' in sc) {
    const c = sc.const;
    if (!isScalar(c)) return null;
    checks.push((v) => v === c);
  }
  if (sc.enum !== undefined) {
    if (!Array.isArray(sc.enum) || !sc.enum.every(isScalar)) return null;
    const values = new Set(sc.enum);
    checks.push((v) => isScalar(v) && values.has(v));
  }
  if (checks.length === 0) return undefined;
  return checks.length === 1 ? checks[0]! : (v) => checks.every((c) => c(v));
}

function boundsCheck(sc: Record<string, unknown>): Accept | undefined | null {
  const { minimum, maximum, minLength, maxLength, minItems, maxItems } = sc;
  const bounds = [minimum, maximum, minLength, maxLength, minItems, maxItems];
  if (bounds.every((b) => b === undefined)) return undefined;
  if (!bounds.every((b) => b === undefined || (typeof b === 'number' && Number.isFinite(b))))
    return null;
  const num = (b: unknown) => b as number;
  return (v) => {
    if (typeof v === 'number') {
      if (minimum !== undefined && v < num(minimum)) return false;
      if (maximum !== undefined && v > num(maximum)) return false;
    } else if (typeof v === 'string') {
      if (minLength !== undefined || maxLength !== undefined) {
        // Code points, as the full validator counts them (a surrogate pair is one).
        let n = 0;
        for (const _ of v) n++;
        if (minLength !== undefined && n < num(minLength)) return false;
        if (maxLength !== undefined && n > num(maxLength)) return false;
      }
    } else if (Array.isArray(v)) {
      if (minItems !== undefined && v.length < num(minItems)) return false;
      if (maxItems !== undefined && v.length > num(maxItems)) return false;
    }
    return true;
  };
}

function objectCheck(
  sc: Record<string, unknown>,
  strict: boolean,
  depth: number,
): Accept | undefined | null {
  const { properties, required, additionalProperties: extra } = sc;
  if (properties === undefined && required === undefined && extra === undefined) return undefined;
  const props = new Map<string, Accept>();
  if (properties !== undefined) {
    if (properties === null || typeof properties !== 'object' || Array.isArray(properties))
      return null;
    for (const key of Object.keys(properties)) {
      const check = compileNode((properties as Record<string, unknown>)[key], strict, depth + 1);
      if (!check) return null;
      props.set(key, check);
    }
  }
  if (required !== undefined && !(Array.isArray(required) && required.every(isString))) return null;
  const req = (required as string[] | undefined) ?? [];
  let rest: Accept | 'open' | 'closed';
  if (extra === false || (extra === undefined && strict && properties !== undefined))
    rest = 'closed';
  else if (extra === undefined || extra === true) rest = 'open';
  else {
    const check = compileNode(extra, strict, depth + 1);
    if (!check) return null;
    rest = check;
  }
  return (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return true;
    const obj = v as Record<string, unknown>;
    for (let i = 0; i < req.length; i++) {
      const name = req[i]!;
      if (!Object.hasOwn(obj, name) || obj[name] === undefined) return false;
    }
    for (const key in obj) {
      if (!Object.hasOwn(obj, key)) return false;
      const check = props.get(key);
      if (check) {
        if (!check(obj[key])) return false;
      } else if (rest === 'closed') return false;
      else if (rest === 'open') {
        // Not checked by the schema, but the full validator must still be able to read it.
        if (obj[key] === undefined) return false;
      } else if (!rest(obj[key])) return false;
    }
    return true;
  };
}

function isString(v: unknown): v is string {
  return typeof v === 'string';
}
