// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlanInvalidError } from '../../src/loop/loop-errors.ts';
import { runTask } from '../../src/loop/run-task.ts';
import { ScriptedModel, textResponse, toolCallsResponse } from '../../src/model/index.ts';
import { ToolRegistry } from '../../src/tool/registry.ts';
import { validatePlanText } from '../../src/validate/index.ts';
import { createBundledWorld } from '../../tools/index.ts';

/**
 * Malformed LLM replies, as files. Through the real loop (validator, repair prompt,
 * executor) each one is either repaired (the LLM's second reply is valid: answered) or, when
 * the LLM keeps sending it, rejected after the repair bound with a typed PlanInvalidError
 * carrying every issue the validator found.
 */

const DIR = join(import.meta.dirname, 'fixtures', 'malformed');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<
  string,
  string[] | 'accepted'
>;
const files = readdirSync(DIR).filter((f) => f !== 'expected.json');

const GOOD_PLAN = {
  version: 1,
  nodes: [{ id: 'user', call: 'get_user', args: { user_id: 'u1' } }],
  output: 'The user is ${user.name}',
  final: true,
};
const GOOD_COMPACT = 'user = get_user(user_id: "u1")\noutput "The user is ${user.name}"\nfinal\n';

function setup(file: string) {
  const world = createBundledWorld();
  const registry = ToolRegistry.from(world.tools);
  const text = readFileSync(join(DIR, file), 'utf8');
  const syntax = file.endsWith('.compact.txt') ? ('compact' as const) : ('json' as const);
  return { world, registry, text, syntax };
}

describe('a corpus of malformed LLM replies', () => {
  it('every file has an expectation', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
    for (const f of files) expect(expected[f], f).toBeDefined();
  });

  for (const file of files) {
    it(`${file}: repaired through the loop when the second reply is valid`, async () => {
      const { registry, text, syntax } = setup(file);
      const model = new ScriptedModel([
        textResponse(text),
        syntax === 'compact'
          ? textResponse(GOOD_COMPACT)
          : toolCallsResponse([{ name: 'submit_plan', args: GOOD_PLAN }]),
      ]);
      const result = await runTask('What is the name of user u1?', {
        model,
        tools: registry,
        syntax,
        maxRepairs: 1,
        prefetch: false,
      });
      expect(result.error).toBeUndefined();
      expect(result.status).toBe('answered');
      if (expected[file] === 'accepted') {
        // Prose and fences are tolerated: the plan in them ran with no repair round trip.
        expect(result.answer).toBe('Ada');
        expect(result.usage.llmCalls).toBe(1);
        return;
      }
      expect(result.answer).toBe('The user is Ada');
      expect(result.usage.llmCalls).toBe(2);
      // The repair request carried every issue code the validator found.
      const repair = JSON.stringify(model.requests[1]!.messages.at(-1));
      for (const code of expected[file] as string[]) expect(repair).toContain(code);
    });

    if (expected[file] === 'accepted') continue;
    it(`${file}: rejected with every issue after the repair bound`, async () => {
      const { registry, text, syntax, world } = setup(file);
      const model = new ScriptedModel([textResponse(text), textResponse(text)]);
      const result = await runTask('What is the name of user u1?', {
        model,
        tools: registry,
        syntax,
        maxRepairs: 1,
        prefetch: false,
      });
      expect(result.status).toBe('failed');
      expect(result.error).toBeInstanceOf(PlanInvalidError);
      const issues = (result.error as PlanInvalidError).issues;
      const codes = new Set(issues.map((i) => i.code));
      for (const code of expected[file] as string[]) expect(codes, file).toContain(code);
      if (syntax === 'json') {
        // Every error the validator reports for this text is in the typed failure.
        const direct = validatePlanText(text, registry).issues.filter(
          (i) => i.severity === 'error',
        );
        expect(issues.filter((i) => i.severity === 'error')).toEqual(direct);
      }
      // Nothing ran: an invalid plan never reaches a tool.
      expect(result.toolCalls).toEqual([]);
      expect([...world.scenario.calls.values()].reduce((a, b) => a + b, 0)).toBe(0);
      expect(result.usage.llmCalls).toBe(2);
    });
  }
});
