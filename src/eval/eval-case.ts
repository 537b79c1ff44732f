import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors/runtime-errors.ts';
import { COMPATIBLE_SHAPES, type CompatibleShape } from '../record/compatible-shapes.ts';

/**
 * The eval case format (`evals/README.md`): one folder per case holding `case.json` and the
 * cassette(s) of the LLM responses it replays. Parsed strictly: a typo in a case must fail
 * loudly, naming the file and the field, not run a weaker check silently.
 */

const AnswerExpect = z
  .object({
    equals: z.unknown().optional(),
    contains: z.union([z.string(), z.array(z.string())]).optional(),
    matches: z.string().optional(),
  })
  .strict()
  .refine((a) => a.equals !== undefined || a.contains !== undefined || a.matches !== undefined, {
    message: 'needs one of equals, contains, matches',
  });

const ExpectedCallSchema = z
  .object({
    name: z.string().min(1),
    args: z.record(z.string(), z.array(z.unknown())).default({}),
    any: z.array(z.string()).optional(),
  })
  .strict();

const ExpectSchema = z
  .object({
    answer: AnswerExpect.optional(),
    calls: z.array(ExpectedCallSchema).optional(),
    exactCalls: z.boolean().optional(),
    maxLlmCalls: z.number().int().min(0).optional(),
    maxMakespanRatio: z.number().positive().optional(),
    status: z.enum(['answered', 'failed', 'suspended']).optional(),
  })
  .strict();

export const EvalCaseSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be kebab-case: a-z, 0-9 and -'),
    pattern: z.string().min(1),
    description: z.string().optional(),
    task: z.string().min(1),
    input: z.unknown().optional(),
    tools: z.union([z.literal('bundled'), z.string().min(1)]),
    toolOptions: z.record(z.string(), z.unknown()).optional(),
    mode: z.enum(['plan', 'react']),
    syntax: z.enum(['json', 'compact']).optional(),
    provider: z.enum(['openai', 'anthropic']),
    model: z.string().min(1),
    cassette: z.string().min(1),
    /** How the cassette was made: written by hand in the wire format, or recorded live. */
    origin: z.enum(['hand-written', 'recorded']).default('hand-written'),
    /** Approve calls that ask for approval: true for all, or the tool names to approve. */
    approve: z.union([z.boolean(), z.array(z.string())]).optional(),
    maxReplans: z.number().int().min(0).optional(),
    /** OpenAI-compatible stream shapes the case also runs on (cassette.<shape>.json). */
    shapes: z.array(z.enum(COMPATIBLE_SHAPES)).optional(),
    expect: ExpectSchema,
  })
  .strict();

export type EvalCaseSpec = z.infer<typeof EvalCaseSchema>;
export type ExpectedCall = z.infer<typeof ExpectedCallSchema>;
export type CaseExpect = z.infer<typeof ExpectSchema>;

export interface EvalCase extends EvalCaseSpec {
  /** The case folder, absolute. */
  dir: string;
  /** The case.json path, absolute. */
  file: string;
  /** The cassette path, absolute. */
  cassettePath: string;
  /** Set on a case's run in an OpenAI-compatible server's shape (see case-variants.ts). */
  shape?: CompatibleShape;
}

/** Parses a case.json's text; throws ConfigError naming the file and the first bad field. */
export function parseCase(text: string, file: string): EvalCase {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError('bad_eval_case', `${file}: not valid JSON: ${(cause as Error).message}`, {
      cause,
      details: { file },
    });
  }
  const parsed = EvalCaseSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const field = issue.path.length ? issue.path.map(String).join('.') : '(case)';
      return `field "${field}": ${issue.message}`;
    });
    const first = parsed.error.issues[0];
    throw new ConfigError('bad_eval_case', `${file}: ${lines.join('; ')}`, {
      details: { file, field: first?.path.map(String).join('.') ?? '' },
    });
  }
  const dir = dirname(resolve(file));
  if (parsed.data.name !== basename(dir)) {
    throw new ConfigError(
      'bad_eval_case',
      `${file}: field "name": "${parsed.data.name}" must equal the folder name "${basename(dir)}"`,
      { details: { file, field: 'name' } },
    );
  }
  return {
    ...parsed.data,
    dir,
    file: resolve(file),
    cassettePath: resolve(dir, parsed.data.cassette),
  };
}

export function loadCase(dir: string): EvalCase {
  const file = join(dir, 'case.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError('bad_eval_case', `${file}: cannot read: ${(cause as Error).message}`, {
      cause,
      details: { file },
    });
  }
  return parseCase(text, file);
}

/** Every case folder under `root` (folders holding a case.json), sorted by name. */
export function findCaseDirs(root: string): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch (cause) {
    throw new ConfigError('eval_dir_not_found', `eval cases folder not found: ${root}`, {
      cause,
      details: { dir: root },
    });
  }
  return entries
    .filter((e) => e.isDirectory() && existsSync(join(root, e.name, 'case.json')))
    .map((e) => join(root, e.name))
    .sort();
}
