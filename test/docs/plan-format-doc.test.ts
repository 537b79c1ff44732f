import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executePlan } from '../../src/exec/execute-plan.ts';
import { NODE_KIND_KEYS, planJsonSchema } from '../../src/plan/plan-schema.ts';
import { ToolRegistry } from '../../src/tool/registry.ts';
import { ISSUE_CODE_LIST } from '../../src/validate/issues.ts';
import { validatePlan } from '../../src/validate/validate-plan.ts';
import { createBundledTools } from '../../tools/index.ts';

const DOC = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'plan-format.md'), 'utf8');

interface Example {
  line: number;
  plan: unknown;
  input?: Record<string, unknown>;
  output?: unknown;
  hasOutput: boolean;
}

/** Each ```json plan block, with the ```json input and ```json output blocks right after it. */
function examples(doc: string): Example[] {
  const blocks = [...doc.matchAll(/```json (plan|input|output)\n([\s\S]*?)```/g)].map((m) => ({
    kind: m[1]!,
    value: JSON.parse(m[2]!) as unknown,
    line: doc.slice(0, m.index).split('\n').length,
  }));
  const out: Example[] = [];
  for (const b of blocks) {
    if (b.kind === 'plan') out.push({ line: b.line, plan: b.value, hasOutput: false });
    else if (b.kind === 'input') out.at(-1)!.input = b.value as Record<string, unknown>;
    else Object.assign(out.at(-1)!, { output: b.value, hasOutput: true });
  }
  return out;
}

/** Every property name the plan's JSON Schema declares, at any depth. */
function schemaFields(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) schemaFields(s, into);
  else if (schema && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'properties' && v && typeof v === 'object')
        for (const name of Object.keys(v)) into.add(name);
      schemaFields(v, into);
    }
  }
  return into;
}

describe('docs/plan-format.md', () => {
  const found = examples(DOC);

  it('has examples, most with the output they must produce', () => {
    expect(found.length).toBeGreaterThanOrEqual(10);
    expect(found.filter((e) => e.hasOutput).length).toBeGreaterThanOrEqual(9);
  });

  for (const example of found) {
    it(`runs the plan at line ${example.line}: valid, succeeded, the output shown`, async () => {
      const tools = ToolRegistry.from(createBundledTools());
      const check = validatePlan(example.plan, tools, {
        inputSchema: (example.plan as { input?: Record<string, unknown> }).input,
      });
      expect(check.issues.filter((i) => i.severity === 'error')).toEqual([]);
      const run = await executePlan(check.plan!, {
        tools,
        input: example.input ?? {},
        signal: AbortSignal.timeout(20_000),
      });
      expect(run.status, JSON.stringify(run)).toBe('succeeded');
      if (example.hasOutput && run.status === 'succeeded')
        expect(run.output).toEqual(example.output);
    });
  }

  it('names every node kind, every field of the schema and every issue code', () => {
    for (const kind of NODE_KIND_KEYS) expect(DOC).toContain(`### ${kind}`);
    for (const field of schemaFields(planJsonSchema())) expect(DOC, field).toContain(`\`${field}`);
    const missing = ISSUE_CODE_LIST.filter((code) => !DOC.includes(code));
    expect(missing).toEqual([]);
  });
});
