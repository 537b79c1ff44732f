import { z } from 'zod';
import type { JsonSchema } from '../tool/tool.ts';

/** BFCL and other hand-written schemas use Python type names; map them to JSON Schema. */
const TYPE_ALIASES: Record<string, string | undefined> = {
  dict: 'object',
  float: 'number',
  double: 'number',
  int: 'integer',
  long: 'integer',
  tuple: 'array',
  list: 'array',
  str: 'string',
  bool: 'boolean',
  any: undefined,
  Any: undefined,
  None: 'null',
};

export function isZodSchema(value: unknown): value is z.ZodType {
  return (
    !!value &&
    typeof value === 'object' &&
    '_zod' in value &&
    typeof (value as { safeParse?: unknown }).safeParse === 'function'
  );
}

/** Any schema a tool may declare, as a JSON Schema object with normalised type names. */
export function toJsonSchema(schema: unknown): JsonSchema {
  if (isZodSchema(schema)) {
    const out = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
    delete out.$schema;
    return out;
  }
  return normalizeJsonSchema(schema) as JsonSchema;
}

/** Returns a copy with Python-style type names mapped and `type: any` removed. */
export function normalizeJsonSchema(schema: unknown, depth = 0): unknown {
  if (depth > 64 || !schema || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map((s) => normalizeJsonSchema(s, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type') {
      const mapped = mapType(value);
      if (mapped !== undefined) out.type = mapped;
      continue;
    }
    if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, normalizeJsonSchema(v, depth + 1)]),
      );
      continue;
    }
    out[key] = [
      'items',
      'additionalProperties',
      'anyOf',
      'oneOf',
      'allOf',
      'not',
      'prefixItems',
    ].includes(key)
      ? normalizeJsonSchema(value, depth + 1)
      : value;
  }
  // BFCL writes `"type": "tuple"` with `items`; a plain array check is the honest reading.
  return out;
}

function mapType(value: unknown): unknown {
  if (typeof value === 'string') return value in TYPE_ALIASES ? TYPE_ALIASES[value] : value;
  if (Array.isArray(value)) {
    const mapped = value.map(mapType).filter((v) => v !== undefined);
    return mapped.length ? mapped : undefined;
  }
  return value;
}
