import { checkValue } from '../schema/check-value.ts';
import type { JsonSchema } from '../tool/tool.ts';

/**
 * What is wrong with a run input for a plan, before anything runs: it must be a JSON object;
 * it must match the JSON Schema the plan declares in `input`; and, declared or not, it must
 * hold every top-level field the plan's expressions read (`input.city`, `input['city']`),
 * except fields only tested with `has(input.x)`. Pure; an empty list means fine.
 */
export function checkPlanInput(plan: unknown, input: unknown): string[] {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return [`the input must be a JSON object such as {"user_id": "u1"}, got ${describe(input)}`];
  }
  const problems: string[] = [];
  const declared = (plan as { input?: unknown } | null)?.input;
  if (declared && typeof declared === 'object') {
    for (const issue of checkValue(declared as JsonSchema, input, { maxIssues: 10 })) {
      const name = /"([^"]+)"/.exec(issue.message)?.[1];
      problems.push(
        issue.code === 'missing_required' && name
          ? `the input has no "${name}", which the plan's input schema requires`
          : `input${issue.path ? ` at ${issue.path}` : ''}: ${issue.message}`,
      );
    }
  }
  const given = input as Record<string, unknown>;
  const missing = [...inputFieldsRead(plan)].filter((f) => !Object.hasOwn(given, f));
  for (const field of missing)
    if (!problems.some((p) => p.includes(`"${field}"`)))
      problems.push(`the plan reads input.${field}, but the input has no "${field}"`);
  return problems;
}

const EXPRESSION = /\$\{([\s\S]*?)\}/g;
const DOT = /(?<![\w.])input\s*\.\s*([A-Za-z_]\w*)/g;
const INDEX = /(?<![\w.])input\s*\[\s*(['"])([^'"]*)\1\s*\]/g;
const GUARDED = /has\(\s*input\s*\.\s*([A-Za-z_]\w*)\s*\)/g;

/** Top-level input fields read by the plan's `${ }` strings (a scan, not a parse). */
export function inputFieldsRead(plan: unknown): Set<string> {
  const read = new Set<string>();
  const guarded = new Set<string>();
  const visit = (v: unknown, depth: number): void => {
    if (depth > 200) return;
    if (typeof v === 'string') {
      if (!v.includes('${')) return;
      for (const m of v.matchAll(EXPRESSION)) {
        const expr = m[1]!;
        for (const g of expr.matchAll(GUARDED)) guarded.add(g[1]!);
        for (const d of expr.matchAll(DOT)) read.add(d[1]!);
        for (const i of expr.matchAll(INDEX)) read.add(i[2]!);
      }
    } else if (Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    else if (v && typeof v === 'object')
      // The plan's own `input` field is a schema, not expressions.
      for (const [k, x] of Object.entries(v)) if (depth > 0 || k !== 'input') visit(x, depth + 1);
  };
  visit(plan, 0);
  for (const g of guarded) read.delete(g);
  return read;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array ${JSON.stringify(value).slice(0, 40)}`;
  return `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}
