import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../../src/eval/case-result.ts';
import { runCaseOnShapes, shapeVariant } from '../../src/eval/case-variants.ts';
import { buildCassette, readResponses } from '../../src/eval/cassette-builder.ts';
import { findCaseDirs, loadCase } from '../../src/eval/eval-case.ts';
import { loadCases, runSuite } from '../../src/eval/run-suite.ts';
import { readCassette, writeCassette } from '../../src/record/cassette.ts';
import { COMPATIBLE_SHAPES } from '../../src/record/compatible-shapes.ts';
import { createBundledTools } from '../../tools/index.ts';

const BUNDLED = new URL('../../evals/cases/', import.meta.url).pathname;

describe('eval cases on OpenAI-compatible shapes', () => {
  it('every bundled case also runs on a shape, and every shape is run by some case', () => {
    const cases = findCaseDirs(BUNDLED).map(loadCase);
    expect(cases.length).toBeGreaterThanOrEqual(22);
    for (const c of cases) expect(c.shapes?.length, c.name).toBeGreaterThan(0);
    const used = new Set(cases.flatMap((c) => c.shapes ?? []));
    expect([...used].sort()).toEqual([...COMPATIBLE_SHAPES].sort());
  });

  it('the checked-in shape cassettes are what the builder makes from responses.json', () => {
    let checked = 0;
    for (const dir of findCaseDirs(BUNDLED)) {
      const c = loadCase(dir);
      for (const shape of c.shapes ?? []) {
        const variant = shapeVariant(c, shape);
        const built = buildCassette(c.provider, readResponses(join(dir, 'responses.json')).turns, {
          note: readResponses(join(dir, 'responses.json')).note,
          model: variant.model,
          shape,
        });
        expect(
          readCassette(variant.cassettePath),
          `${variant.name}: run npx tsx evals/write-cassettes.ts`,
        ).toEqual(built);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(22);
  });

  it('a variant is the case on the OpenAI adapter, named after its shape', () => {
    const [c] = findCaseDirs(BUNDLED)
      .map(loadCase)
      .filter((x) => x.provider === 'anthropic');
    const variant = shapeVariant(c!, 'qwen');
    expect(variant).toMatchObject({
      name: `${c!.name}@qwen`,
      provider: 'openai',
      model: 'qwen3-max',
      shape: 'qwen',
      task: c!.task,
      expect: c!.expect,
    });
    expect(variant.cassettePath).toBe(join(c!.dir, 'cassette.qwen.json'));
    expect(existsSync(variant.cassettePath)).toBe(true);
  });

  it('a case passes only if it passes on every shape; shape failures are named', async () => {
    const dir = demoCase(['ollama', 'vllm']);
    const [c] = loadCases(dir);
    const seen: string[] = [];
    const result = await runCaseOnShapes(c!, {}, async (v) => {
      seen.push(v.name);
      const failures = v.shape === 'vllm' ? ['status is failed, expected answered'] : [];
      return { ...fakeResult(v.name), passed: failures.length === 0, failures, wallMs: 5 };
    });
    expect(seen).toEqual(['demo', 'demo@ollama', 'demo@vllm']);
    expect(result.name).toBe('demo');
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual(['on the vllm shape: status is failed, expected answered']);
    expect(result.shapes?.map((s) => [s.shape, s.passed])).toEqual([
      ['ollama', true],
      ['vllm', false],
    ]);
  });

  it('a live recording runs the cases themselves, never their shapes', async () => {
    const root = demoCase(['ollama', 'vllm']);
    const cases = loadCases(root);
    expect(cases.map((c) => c.name)).toEqual(['demo']);
    writeCassette(join(root, 'demo', 'cassette.json'), buildCassette('openai', [{ text: 'x' }]));
    const ran: string[] = [];
    const runTask = async () => {
      ran.push('task');
      return {
        status: 'answered',
        answer: 'x',
        usage: { llmCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
        toolCalls: [],
      } as never;
    };
    const suite = await runSuite(cases, {
      record: { env: {} },
      runTask,
      bundledTools: createBundledTools,
    });
    expect(suite.cases.map((c) => [c.name, c.shapes])).toEqual([['demo', undefined]]);
    expect(ran).toHaveLength(1);
  });
});

function demoCase(shapes: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'toolplan-variants-'));
  const dir = join(root, 'demo');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'case.json'),
    JSON.stringify({
      name: 'demo',
      pattern: 'p',
      task: 't',
      tools: 'bundled',
      mode: 'plan',
      provider: 'openai',
      model: 'gpt-4.1-mini',
      cassette: 'cassette.json',
      shapes,
      expect: { answer: { equals: 'x' } },
    }),
  );
  return root;
}

function fakeResult(name: string): CaseResult {
  return {
    name,
    pattern: 'p',
    task: 't',
    provider: 'openai',
    mode: 'plan',
    origin: 'hand-written',
    passed: true,
    failures: [],
    status: 'answered',
    answer: 'x',
    usage: { llmCalls: 1, inputTokens: 1, outputTokens: 1, costUsd: 0 },
    toolCalls: [],
    wallMs: 1,
    traces: [],
    makespanMs: 0,
    criticalMs: 0,
    ratio: undefined,
  };
}
