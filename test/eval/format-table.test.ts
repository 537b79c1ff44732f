import { describe, expect, it } from 'vitest';
import type { BfclSummary, CaseResult, SuiteResult } from '../../src/eval/case-result.ts';
import { emptyUsage } from '../../src/eval/case-result.ts';
import { formatBfcl, formatRatio, formatTable } from '../../src/eval/format-table.ts';

function result(over: Partial<CaseResult>): CaseResult {
  return {
    name: 'case',
    pattern: 'pattern',
    task: 'task',
    provider: 'openai',
    mode: 'plan',
    origin: 'hand-written',
    passed: true,
    failures: [],
    status: 'answered',
    answer: 'ok',
    usage: emptyUsage(),
    toolCalls: [],
    wallMs: 0,
    traces: [],
    makespanMs: 0,
    criticalMs: 0,
    ratio: undefined,
    ...over,
  };
}

const chain = result({
  name: 'chain',
  pattern: 'sequential chain',
  usage: { llmCalls: 1, inputTokens: 900, outputTokens: 60, costUsd: 0 },
  toolCalls: [
    { name: 'a', args: {} },
    { name: 'b', args: {} },
    { name: 'c', args: {} },
  ],
  wallMs: 81.6,
  makespanMs: 75,
  criticalMs: 70,
  ratio: 75 / 70,
});
const react = result({
  name: 'react-weather',
  pattern: 'react',
  provider: 'anthropic',
  mode: 'react',
  passed: false,
  failures: ['answer "x" does not contain "Paris"', '3 LLM calls, at most 2 expected'],
  usage: { llmCalls: 3, inputTokens: 2100, outputTokens: 180, costUsd: 0 },
  toolCalls: [{ name: 'get_weather', args: {} }],
  wallMs: 1234.4,
});

describe('formatTable', () => {
  it('prints an aligned row per case, the totals, then why each failed case failed', () => {
    const suite: SuiteResult = { cases: [chain, react], passed: 1, failed: 1, wallMs: 1300.2 };
    expect(formatTable(suite)).toBe(
      [
        'case           pattern           wire             result          llm  tokens in/out  tools  wall ms  makespan/cp',
        '-------------  ----------------  ---------------  --------------  ---  -------------  -----  -------  -----------',
        'chain          sequential chain  openai           pass              1         900/60      3       82        1.07x',
        'react-weather  react             anthropic react  FAIL              3       2100/180      1     1234            -',
        '-------------  ----------------  ---------------  --------------  ---  -------------  -----  -------  -----------',
        'total (2)                                         1 pass, 1 fail    4       3000/240      4     1300        1.07x',
        'FAIL react-weather:',
        '  - answer "x" does not contain "Paris"',
        '  - 3 LLM calls, at most 2 expected',
      ].join('\n'),
    );
  });

  it('totals the ratio as summed makespan over summed critical path, not a mean of ratios', () => {
    const a = result({ name: 'a', makespanMs: 100, criticalMs: 100, ratio: 1 });
    const b = result({ name: 'b', makespanMs: 300, criticalMs: 100, ratio: 3 });
    const lines = formatTable({ cases: [a, b], passed: 2, failed: 0, wallMs: 0 }).split('\n');
    // (100 + 300) / (100 + 100) = 2.00, where the mean of ratios would also be 2: make it differ.
    const c = result({ name: 'c', makespanMs: 1000, criticalMs: 800, ratio: 1.25 });
    const withC = formatTable({ cases: [a, b, c], passed: 3, failed: 0, wallMs: 0 }).split('\n');
    expect(lines.at(-1)).toMatch(/2\.00x$/);
    expect(withC.at(-1)).toMatch(/1\.40x$/);
  });

  it('prints no failure section when everything passed, and "-" when nothing was timed', () => {
    const text = formatTable({
      cases: [result({ name: 'only' })],
      passed: 1,
      failed: 0,
      wallMs: 5,
    });
    expect(text).not.toContain('FAIL');
    expect(text.split('\n').at(-1)).toMatch(/^total \(1\) .* 1 pass, 0 fail .* -$/);
    // No trailing spaces on any line.
    for (const line of text.split('\n')) expect(line).toBe(line.trimEnd());
  });

  it('handles an empty suite', () => {
    const text = formatTable({ cases: [], passed: 0, failed: 0, wallMs: 0 });
    expect(text.split('\n')).toHaveLength(4);
    expect(text).toContain('total (0)');
  });

  it('every row has the same column starts as the header', () => {
    const long = result({ name: 'a-very-long-case-name-indeed', pattern: 'p', wallMs: 123456 });
    const lines = formatTable({ cases: [long, chain], passed: 2, failed: 0, wallMs: 9 }).split(
      '\n',
    );
    const header = lines[0]!;
    const starts = [...header.matchAll(/(?<= {2}|^)\S/g)].map((m) => m.index);
    const rule = lines[1]!;
    expect([...rule.matchAll(/-+/g)].map((m) => m.index)).toEqual(starts);
  });

  it('appends the BFCL summary when there is one', () => {
    const bfcl: BfclSummary = {
      total: 4,
      passed: 3,
      rejected: [],
      failures: [{ id: 'simple_1', reason: 'wrong arg' }],
      byCategory: { simple: { total: 4, passed: 3 } },
      wallMs: 12.4,
    };
    const text = formatTable({ cases: [], passed: 0, failed: 0, wallMs: 0, bfcl });
    expect(text.endsWith(formatBfcl(bfcl))).toBe(true);
  });
});

describe('formatBfcl', () => {
  it('prints score, percentage, categories, rejected plans and other failures', () => {
    const summary: BfclSummary = {
      total: 8,
      passed: 5,
      rejected: [{ id: 'multiple_2', reason: 'unknown tool' }],
      failures: [
        { id: 'multiple_2', reason: 'rejected' },
        { id: 'simple_7', reason: 'argument "x" is 1, expected one of [2]' },
        { id: 'parallel_3', reason: 'missing call' },
      ],
      byCategory: { simple: { total: 4, passed: 3 }, multiple: { total: 4, passed: 2 } },
      wallMs: 250.6,
    };
    expect(formatBfcl(summary)).toBe(
      [
        'BFCL: 5/8 (62.5%) in 251 ms; simple 3/4, multiple 2/4',
        'BFCL plans the validator rejected: 1',
        '  - multiple_2: unknown tool',
        '  FAIL simple_7: argument "x" is 1, expected one of [2]',
        '  FAIL parallel_3: missing call',
      ].join('\n'),
    );
  });

  it('shows 0.0% for no cases and lists at most 20 of each', () => {
    expect(
      formatBfcl({ total: 0, passed: 0, rejected: [], failures: [], byCategory: {}, wallMs: 0 }),
    ).toBe('BFCL: 0/0 (0.0%) in 0 ms; \nBFCL plans the validator rejected: 0');
    const many = Array.from({ length: 30 }, (_, i) => ({ id: `c${i}`, reason: 'r' }));
    const text = formatBfcl({
      total: 60,
      passed: 0,
      rejected: many,
      failures: many.map((m) => ({ ...m, id: `f${m.id}` })),
      byCategory: {},
      wallMs: 0,
    });
    expect(text).toContain('rejected: 30');
    expect(text.match(/^ {2}- /gm)).toHaveLength(20);
    expect(text.match(/^ {2}FAIL /gm)).toHaveLength(20);
  });
});

describe('formatRatio', () => {
  it('two decimals with an x, or "-" when unknown', () => {
    expect(formatRatio(undefined)).toBe('-');
    expect(formatRatio(1)).toBe('1.00x');
    expect(formatRatio(1.005)).toMatch(/^1\.0[01]x$/);
    expect(formatRatio(12.3456)).toBe('12.35x');
  });
});
