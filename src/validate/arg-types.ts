// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import type { CelTypes } from './cel-types.ts';
import { elementType, isListType, isMapType } from './cel-types.ts';

/**
 * Where an argument's schema is, and whether an expression's CEL type can fill it.
 * Both answer "unknown" (undefined / true) rather than guess: the check must never reject
 * a plan that would run.
 */

type Schema = Record<string, unknown>;

function isSchema(v: unknown): v is Schema {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** The schema that applies at `segments` below `schema`, or undefined if unclear. */
export function schemaAt(schema: unknown, segments: readonly string[]): Schema | undefined {
  let s: unknown = schema;
  for (const seg of segments) {
    if (!isSchema(s)) return undefined;
    const alts = (s.anyOf ?? s.oneOf) as unknown;
    if (Array.isArray(alts)) {
      const nonNull = alts.filter((a) => !(isSchema(a) && a.type === 'null'));
      if (nonNull.length !== 1) return undefined;
      s = nonNull[0];
      if (!isSchema(s)) return undefined;
    }
    const props = s.properties;
    if (isSchema(props) && Object.hasOwn(props, seg)) {
      s = props[seg];
      continue;
    }
    if (/^\d+$/.test(seg) && (s.items !== undefined || s.prefixItems !== undefined)) {
      const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : [];
      s = Number(seg) < prefix.length ? prefix[Number(seg)] : s.items;
      continue;
    }
    if (isSchema(s.additionalProperties)) {
      s = s.additionalProperties;
      continue;
    }
    return undefined;
  }
  return isSchema(s) ? s : undefined;
}

/** JSON Schema type names a schema allows, or undefined when it allows anything. */
function schemaTypes(s: Schema): string[] | undefined {
  if (Array.isArray(s.type)) return s.type.filter((t): t is string => typeof t === 'string');
  if (typeof s.type === 'string') return [s.type];
  if (Array.isArray(s.enum) && s.enum.length > 0) {
    const kinds = new Set(
      s.enum.map((v) => (v === null ? 'null' : typeof v === 'number' ? 'number' : typeof v)),
    );
    return [...kinds];
  }
  return undefined;
}

/** False only when no value of `celType` can match `schema`. */
export function celTypeFits(schema: Schema, celType: string, types: CelTypes, depth = 0): boolean {
  if (depth > 8 || celType === 'dyn' || celType.startsWith('optional')) return true;
  const alts = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(alts))
    return alts.some((a) => !isSchema(a) || celTypeFits(a, celType, types, depth + 1));
  const allowed = schemaTypes(schema);
  if (!allowed) return true;
  return allowed.some((t) => {
    switch (t) {
      case 'string':
        return ['string', 'timestamp', 'bytes'].includes(celType);
      case 'number':
      case 'integer':
        return celType === 'int' || celType === 'uint' || celType === 'double';
      case 'boolean':
        return celType === 'bool';
      case 'null':
        return celType === 'null';
      case 'array': {
        if (!isListType(celType)) return false;
        const items = schema.items;
        return !isSchema(items) || celTypeFits(items, elementType(celType), types, depth + 1);
      }
      case 'object':
        return isMapType(celType) || types.info(celType) !== undefined;
      default:
        return true;
    }
  });
}

/** How a CEL type reads in a message. */
export function describeCelType(celType: string, types: CelTypes): string {
  if (celType === 'double' || celType === 'int' || celType === 'uint') return 'a number';
  if (celType === 'bool') return 'a boolean';
  if (celType === 'string') return 'a string';
  if (celType === 'null') return 'null';
  if (isListType(celType)) return `a list (${celType})`;
  if (isMapType(celType)) return `an object (${celType})`;
  const info = types.info(celType);
  if (info) return `an object (${info.origin}: ${info.fields.join(', ')})`;
  return celType;
}

/** The expected type of a schema, for messages. */
export function describeSchema(s: Schema): string {
  const t = schemaTypes(s);
  if (!t) return 'any value';
  const enumText = Array.isArray(s.enum)
    ? ` (one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')})`
    : '';
  return t.join(' or ') + enumText;
}

/** A conversion the LLM can write, when one is obvious. */
export function conversionHint(schema: Schema, celType: string): string {
  const t = schemaTypes(schema) ?? [];
  const numeric = celType === 'int' || celType === 'uint' || celType === 'double';
  if (t.includes('string') && (numeric || celType === 'bool'))
    return ' Convert it with string(...), or write it as a template "... ${x} ...".';
  if ((t.includes('number') || t.includes('integer')) && celType === 'string')
    return ' Convert it with double(...) or int(...).';
  if (t.includes('array') && !isListType(celType)) return ' Wrap it in a list: [x].';
  return '';
}
