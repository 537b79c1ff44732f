import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../../package-root.ts';
import type { PlanT } from '../../plan/plan-schema.ts';
import { ToolRegistry } from '../../tool/registry.ts';
import type { Tool } from '../../tool/tool.ts';

/**
 * The BFCL v4 corpus, vendored in `evals/data/bfcl` (see its NOTICE): function definitions per case and, where there
 * is one, the ground truth (each accepted value per argument). Loads the JSON Lines files,
 * turns the functions into JSON-Schema tools and the ground truths into plans of call nodes.
 */

export const BFCL_CATEGORIES = [
  'simple_python',
  'multiple',
  'parallel',
  'parallel_multiple',
  'irrelevance',
] as const;
export type BfclCategory = (typeof BFCL_CATEGORIES)[number];

export interface BfclFunction {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

/** One call of a ground truth: tool name to each argument's accepted values. */
export type BfclAnswerCall = Record<string, Record<string, unknown[]>>;

export interface BfclCase {
  id: string;
  category: BfclCategory;
  question: unknown;
  functions: BfclFunction[];
  /** Absent for irrelevance cases: the right answer there is no call. */
  groundTruth?: BfclAnswerCall[];
}

/** `evals/data/bfcl` in the package: in a clone and in an installed package alike. */
export function bfclDataDir(): string {
  return packagePath('evals', 'data', 'bfcl');
}

function fileOf(dir: string, category: BfclCategory, answers: boolean): string {
  return join(dir, ...(answers ? ['possible_answer'] : []), `BFCL_v4_${category}.json`);
}

function readLines(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch (error) {
        throw new Error(`${path}:${i + 1}: not JSON: ${(error as Error).message}`);
      }
    });
}

export function loadBfclCategory(category: BfclCategory, dir = bfclDataDir()): BfclCase[] {
  const answersPath = fileOf(dir, category, true);
  const answers = new Map<string, BfclAnswerCall[]>();
  if (existsSync(answersPath)) {
    for (const row of readLines(answersPath))
      answers.set(String(row.id), row.ground_truth as BfclAnswerCall[]);
  }
  return readLines(fileOf(dir, category, false)).map((row) => ({
    id: String(row.id),
    category,
    question: row.question,
    functions: (row.function as BfclFunction[]) ?? [],
    groundTruth: answers.get(String(row.id)),
  }));
}

export function loadBfclCorpus(
  dir = bfclDataDir(),
  categories: readonly BfclCategory[] = BFCL_CATEGORIES,
): BfclCase[] {
  return categories.flatMap((c) => loadBfclCategory(c, dir));
}

/** The case's functions as tools; `execute` returns `stub(name, args)` (default null). */
export function bfclTools(
  c: BfclCase,
  stub: (name: string, args: unknown) => unknown = () => null,
): Tool[] {
  return c.functions.map((f) => ({
    name: f.name,
    description: f.description?.trim() || f.name,
    // BFCL writes "dict", "float", "tuple", "any": the registry normalises them.
    inputSchema: f.parameters ?? { type: 'object', properties: {} },
    execute: (args: unknown) => stub(f.name, args),
  }));
}

export function bfclRegistry(c: BfclCase): ToolRegistry {
  return ToolRegistry.from(bfclTools(c), `bfcl:${c.id}`);
}

/**
 * One accepted call: an argument whose accepted values include `""` ("may be omitted") is
 * left out unless the schema requires it; otherwise the first accepted value other than
 * `""` is used. BFCL writes nested objects the same way (each field a list of accepted
 * values), so objects inside a value are unwrapped too.
 */
export function firstAcceptedArgs(
  args: Record<string, unknown>,
  required: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, accepted] of Object.entries(args)) {
    const values = Array.isArray(accepted) ? accepted : [accepted];
    if (values.includes('') && !required.has(name)) continue;
    const first = values.find((v) => v !== '');
    if (first !== undefined) out[name] = unwrapNested(first);
  }
  return out;
}

function unwrapNested(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapNested);
  if (value && typeof value === 'object')
    return firstAcceptedArgs(value as Record<string, unknown>);
  return value;
}

/** The ground truth as a plan: one call node per answer call, ids call_0, call_1, ... */
export function groundTruthPlan(c: BfclCase): PlanT | undefined {
  if (!c.groundTruth) return undefined;
  const requiredOf = (tool: string) => {
    const params = c.functions.find((f) => f.name === tool)?.parameters;
    const req = params?.required;
    return new Set(Array.isArray(req) ? req.filter((r): r is string => typeof r === 'string') : []);
  };
  const nodes = c.groundTruth.flatMap((call) =>
    Object.entries(call).map(([tool, args]) => ({
      tool,
      args: firstAcceptedArgs(args, requiredOf(tool)),
    })),
  );
  return {
    version: 1,
    nodes: nodes.map((n, i) => ({ id: `call_${i}`, call: n.tool, args: n.args })),
  };
}
