import { type OutputUnit, type SchemaDraft, Validator } from '@cfworker/json-schema';
import type { JsonSchema } from '../tool/tool.ts';
import type { SchemaIssue } from './check-value.ts';
import { compileAccept } from './fast-accept.ts';

/** Checks one value against a schema compiled once; returns issues, never throws. */
export type CompiledSchema = (value: unknown) => SchemaIssue[];

/** Keywords that only report that something below them failed: their children say what. */
const CONTAINERS = new Set([
  'properties',
  'patternProperties',
  'items',
  'prefixItems',
  'additionalItems',
  'allOf',
  '$ref',
  '$recursiveRef',
  '$dynamicRef',
  'dependentSchemas',
  'if',
  'then',
  'else',
  'contains',
]);

const CODES: Record<string, SchemaIssue['code']> = {
  required: 'missing_required',
  type: 'wrong_type',
  anyOf: 'wrong_type',
  oneOf: 'wrong_type',
  additionalProperties: 'unknown_field',
  unevaluatedProperties: 'unknown_field',
  minimum: 'out_of_range',
  maximum: 'out_of_range',
  exclusiveMinimum: 'out_of_range',
  exclusiveMaximum: 'out_of_range',
  minLength: 'out_of_range',
  maxLength: 'out_of_range',
  minItems: 'out_of_range',
  maxItems: 'out_of_range',
  minProperties: 'out_of_range',
  maxProperties: 'out_of_range',
  multipleOf: 'out_of_range',
};

/** The draft a schema declares in `$schema`; 2020-12 (MCP's default) when it says none. */
export function draftOf(schema: JsonSchema): SchemaDraft {
  const id = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (id.includes('draft-04')) return '4';
  if (id.includes('draft-06') || id.includes('draft-07')) return '7';
  if (id.includes('2019-09')) return '2019-09';
  return '2020-12';
}

/**
 * Compiles a JSON Schema with @cfworker/json-schema: a full validator (drafts 4 to
 * 2020-12, `$ref`/`$defs`, formats) that interprets the schema and never generates code,
 * because schemas from MCP servers are untrusted input. Construct once per tool and reuse.
 */
export function compileSchema(schema: JsonSchema, maxIssues = 20): CompiledSchema {
  // The validator annotates the schema objects it is given; the tool's own stay untouched.
  const validator = new Validator(structuredClone(schema) as never, draftOf(schema), false);
  // Valid values, the common case, skip the interpreter; it still words every failure.
  const accept = compileAccept(schema, false);
  return (value) => {
    if (accept?.(value)) return [];
    const result = validator.validate(value);
    if (result.valid) return [];
    return toIssues(result.errors).slice(0, maxIssues);
  };
}

function toIssues(errors: readonly OutputUnit[]): SchemaIssue[] {
  const leaves = errors.filter((e) => !CONTAINERS.has(e.keyword));
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const e of leaves.length > 0 ? leaves : errors) {
    let path = e.instanceLocation.replace(/^#/, '');
    const code = CODES[e.keyword] ?? 'not_allowed';
    let message = e.error;
    if (e.keyword === 'required') {
      const name = /property "([^"]*)"/.exec(e.error)?.[1];
      if (name !== undefined) {
        path = `${path}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        message = `required argument "${name}" is missing`;
      }
    }
    if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') {
      const name = /property "([^"]*)"/i.exec(e.error)?.[1];
      if (name !== undefined) {
        path = `${path}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        message = `unknown field "${name}"`;
      }
    }
    // An `additionalProperties: false` failure is also reported as a `false` schema below it.
    if (e.keyword === 'false') continue;
    const key = `${path}\u0000${code}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path, code, message });
  }
  return issues;
}
