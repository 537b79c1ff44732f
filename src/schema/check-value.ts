import type { JsonSchema } from '../tool/tool.ts';

export interface SchemaIssue {
  /** JSON pointer below the checked value, e.g. `/user_id` or `/items/2`. */
  path: string;
  code: 'missing_required' | 'unknown_field' | 'wrong_type' | 'not_allowed' | 'out_of_range';
  message: string;
}

export interface CheckOptions {
  /** Values for which this returns true are not checked (e.g. `${ }` expressions). */
  skip?: (value: unknown) => boolean;
  /** Report properties the schema does not list even when additionalProperties is unset. */
  strictObjects?: boolean;
  maxIssues?: number;
}

export function pointerEscape(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function typeOfJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(type: string, value: unknown): boolean {
  const actual = typeOfJson(value);
  if (type === 'number') return actual === 'number' || actual === 'integer';
  return actual === type;
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Checks a JSON value against the JSON Schema subset tools use (type, properties,
 * required, additionalProperties, items, enum, const, anyOf/oneOf, bounds, pattern).
 * Pure; returns issues, never throws.
 */
export function checkValue(
  schema: JsonSchema,
  value: unknown,
  options: CheckOptions = {},
): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const max = options.maxIssues ?? 50;
  const visit = (s: unknown, v: unknown, path: string, depth: number): void => {
    if (issues.length >= max || depth > 64 || !s || typeof s !== 'object') return;
    if (options.skip?.(v)) return;
    const sc = s as Record<string, unknown>;
    const alts = (sc.anyOf ?? sc.oneOf) as unknown[] | undefined;
    if (Array.isArray(alts) && alts.length > 0) {
      const ok = alts.some(
        (alt) => checkValue(alt as JsonSchema, v, { ...options, maxIssues: 1 }).length === 0,
      );
      if (!ok) {
        const types = alts
          .map((a) => (a as JsonSchema)?.type)
          .filter(Boolean)
          .join(' or ');
        issues.push({
          path,
          code: 'wrong_type',
          message: `${preview(v)} matches none of the allowed forms${types ? ` (${types})` : ''}`,
        });
      }
      return;
    }
    if (Array.isArray(sc.allOf)) for (const sub of sc.allOf) visit(sub, v, path, depth + 1);
    if ('const' in sc && JSON.stringify(sc.const) !== JSON.stringify(v)) {
      issues.push({
        path,
        code: 'not_allowed',
        message: `must be ${preview(sc.const)}, got ${preview(v)}`,
      });
      return;
    }
    if (Array.isArray(sc.enum) && !sc.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
      issues.push({
        path,
        code: 'not_allowed',
        message: `must be one of ${sc.enum.map(preview).join(', ')}; got ${preview(v)}`,
      });
      return;
    }
    const type = sc.type;
    if (type !== undefined) {
      const types = Array.isArray(type) ? (type as string[]) : [type as string];
      if (!types.some((t) => matchesType(t, v))) {
        issues.push({
          path,
          code: 'wrong_type',
          message: `expected ${types.join(' or ')}, got ${typeOfJson(v)} ${preview(v)}`,
        });
        return;
      }
    }
    if (typeof v === 'number') {
      if (typeof sc.minimum === 'number' && v < sc.minimum)
        issues.push({ path, code: 'out_of_range', message: `must be >= ${sc.minimum}, got ${v}` });
      if (typeof sc.maximum === 'number' && v > sc.maximum)
        issues.push({ path, code: 'out_of_range', message: `must be <= ${sc.maximum}, got ${v}` });
      if (typeof sc.exclusiveMinimum === 'number' && v <= sc.exclusiveMinimum)
        issues.push({
          path,
          code: 'out_of_range',
          message: `must be > ${sc.exclusiveMinimum}, got ${v}`,
        });
      if (typeof sc.exclusiveMaximum === 'number' && v >= sc.exclusiveMaximum)
        issues.push({
          path,
          code: 'out_of_range',
          message: `must be < ${sc.exclusiveMaximum}, got ${v}`,
        });
    }
    if (typeof v === 'string') {
      if (typeof sc.minLength === 'number' && v.length < sc.minLength)
        issues.push({
          path,
          code: 'out_of_range',
          message: `must have at least ${sc.minLength} characters`,
        });
      if (typeof sc.maxLength === 'number' && v.length > sc.maxLength)
        issues.push({
          path,
          code: 'out_of_range',
          message: `must have at most ${sc.maxLength} characters`,
        });
      if (typeof sc.pattern === 'string') {
        let re: RegExp | undefined;
        try {
          re = new RegExp(sc.pattern, 'u');
        } catch {
          re = undefined;
        }
        if (re && !re.test(v))
          issues.push({
            path,
            code: 'not_allowed',
            message: `must match /${sc.pattern}/, got ${preview(v)}`,
          });
      }
    }
    if (Array.isArray(v)) {
      if (typeof sc.minItems === 'number' && v.length < sc.minItems)
        issues.push({
          path,
          code: 'out_of_range',
          message: `must have at least ${sc.minItems} items`,
        });
      if (typeof sc.maxItems === 'number' && v.length > sc.maxItems)
        issues.push({
          path,
          code: 'out_of_range',
          message: `must have at most ${sc.maxItems} items`,
        });
      const prefix = Array.isArray(sc.prefixItems) ? sc.prefixItems : [];
      v.forEach((item, i) => {
        const itemSchema = i < prefix.length ? prefix[i] : sc.items;
        if (itemSchema && typeof itemSchema === 'object')
          visit(itemSchema, item, `${path}/${i}`, depth + 1);
      });
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const obj = v as Record<string, unknown>;
      const props = (sc.properties ?? {}) as Record<string, unknown>;
      for (const req of Array.isArray(sc.required) ? (sc.required as string[]) : []) {
        if (!Object.hasOwn(obj, req) || obj[req] === undefined) {
          issues.push({
            path: `${path}/${pointerEscape(req)}`,
            code: 'missing_required',
            message: `required argument "${req}" is missing`,
          });
        }
      }
      const extra = sc.additionalProperties;
      const closed =
        extra === false ||
        (options.strictObjects && extra === undefined && sc.properties !== undefined);
      for (const key of Object.keys(obj)) {
        const childPath = `${path}/${pointerEscape(key)}`;
        if (Object.hasOwn(props, key)) visit(props[key], obj[key], childPath, depth + 1);
        else if (closed) {
          const known = Object.keys(props);
          issues.push({
            path: childPath,
            code: 'unknown_field',
            message: `unknown argument "${key}"; allowed: ${known.length ? known.join(', ') : '(none)'}`,
          });
        } else if (extra && typeof extra === 'object') visit(extra, obj[key], childPath, depth + 1);
      }
    }
  };
  visit(schema, value, '', 0);
  return issues;
}
