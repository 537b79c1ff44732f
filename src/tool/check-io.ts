import { checkValue, type SchemaIssue } from '../schema/check-value.ts';
import { type Accept, compileAccept } from '../schema/fast-accept.ts';
import { type CompiledSchema, compileSchema } from '../schema/json-validator.ts';
import { isZodSchema } from '../schema/normalize-schema.ts';
import type { JsonSchema, RegisteredTool } from './tool.ts';

/**
 * `additionalProperties`, made explicit and applied the same everywhere:
 * - arguments: a property the schema does not list is an error even when the schema leaves
 *   `additionalProperties` unset (an LLM's misspelt argument must not pass silently), unless
 *   the tool says `unknown_args: "allow"`; an explicit `additionalProperties` always wins;
 * - outputs: open, exactly as JSON Schema reads them (unset means allowed).
 * The static check (src/validate/check-tools.ts) asks `argsAreStrict` too.
 */
export function argsAreStrict(tool: RegisteredTool): boolean {
  return tool.tool.unknown_args !== 'allow';
}

const compiled = new WeakMap<RegisteredTool, { args?: CompiledSchema; output?: CompiledSchema }>();

/**
 * Per tool, whether arguments are certainly valid and free of unknown fields in one walk
 * (null: the schema is outside what the fast check knows, so every call takes both passes).
 */
const strictAccepts = new WeakMap<RegisteredTool, Accept | null>();

function strictAcceptFor(tool: RegisteredTool): Accept | null {
  let accept = strictAccepts.get(tool);
  if (accept === undefined) {
    accept = compileAccept(tool.inputSchema as JsonSchema, argsAreStrict(tool)) ?? null;
    strictAccepts.set(tool, accept);
  }
  return accept;
}

function validatorFor(tool: RegisteredTool, which: 'args' | 'output'): CompiledSchema {
  let entry = compiled.get(tool);
  if (!entry) {
    entry = {};
    compiled.set(tool, entry);
  }
  let check = entry[which];
  if (!check) {
    // The normalised schema: hand-written ones may say `dict` or `float` (see toJsonSchema).
    check = compileSchema((which === 'args' ? tool.inputSchema : tool.outputSchema) as JsonSchema);
    entry[which] = check;
  }
  return check;
}

/** Checks a call's resolved arguments against the tool's input schema. */
export function checkArgs(tool: RegisteredTool, args: unknown): SchemaIssue[] {
  // A zod schema may refine what its JSON Schema says: zod alone decides for it.
  if (!isZodSchema(tool.tool.inputSchema) && strictAcceptFor(tool)?.(args)) return [];
  const issues: SchemaIssue[] = isZodSchema(tool.tool.inputSchema)
    ? zodIssues(tool.tool.inputSchema.safeParse(args))
    : validatorFor(tool, 'args')(args);
  if (!argsAreStrict(tool)) return issues;
  // Neither zod (it strips unknown keys) nor JSON Schema (open by default) reports them.
  const seen = new Set(issues.filter((i) => i.code === 'unknown_field').map((i) => i.path));
  return issues.concat(
    checkValue(tool.inputSchema, args, { strictObjects: true }).filter(
      (i) => i.code === 'unknown_field' && !seen.has(i.path),
    ),
  );
}

/** Checks a tool's output against its output schema, when it declares one. */
export function checkOutput(tool: RegisteredTool, output: unknown): SchemaIssue[] {
  if (tool.tool.outputSchema === undefined || tool.outputSchema === undefined) return [];
  if (isZodSchema(tool.tool.outputSchema))
    return zodIssues(tool.tool.outputSchema.safeParse(output));
  return validatorFor(tool, 'output')(output);
}

function zodIssues(
  r: { success: true } | { success: false; error: { issues: ZodIssueLike[] } },
): SchemaIssue[] {
  return r.success ? [] : r.error.issues.map(zodIssue);
}

interface ZodIssueLike {
  path: PropertyKey[];
  message: string;
  code: string;
}

function zodIssue(issue: ZodIssueLike): SchemaIssue {
  const path = issue.path
    .map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
  const code =
    issue.code === 'unrecognized_keys'
      ? 'unknown_field'
      : issue.code === 'invalid_type'
        ? 'wrong_type'
        : 'not_allowed';
  return { path, code, message: issue.message };
}
