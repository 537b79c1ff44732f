import { describe, expect, it } from 'vitest';
import {
  addUsage,
  applyOutcome,
  decideNext,
  initialState,
  type LoopOutcome,
  type LoopState,
} from '../../src/loop/run-state.ts';
import type { PlanT } from '../../src/plan/plan-schema.ts';

const plan: PlanT = { version: 1, nodes: [{ id: 'a', call: 't', args: {} }] };
const finalPlan: PlanT = { ...plan, output: 'done', final: true };
const issue = {
  path: '/nodes/0/call',
  code: 'unknown_tool',
  message: 'no tool t',
  severity: 'error' as const,
};
const base = () =>
  initialState('task', { startedAt: 1000, maxRepairs: 1, maxReplans: 1, budgets: {} });
const executed = (over: Partial<Extract<LoopOutcome, { kind: 'executed' }>> = {}): LoopOutcome => ({
  kind: 'executed',
  status: 'succeeded',
  final: false,
  output: 1,
  nodeOutputs: { a: 1 },
  toolCalls: 1,
  ...over,
});
const fold = (state: LoopState, ...outcomes: LoopOutcome[]) => outcomes.reduce(applyOutcome, state);

describe('decideNext', () => {
  const planned: LoopOutcome = { kind: 'planned', source: 'plan', candidate: {}, text: '{}' };
  const table: [string, LoopState, string][] = [
    ['a fresh state plans', base(), 'plan'],
    ['a plan is validated', fold(base(), planned), 'validate'],
    [
      'a valid plan is executed',
      fold(base(), planned, { kind: 'validated', valid: true, plan }),
      'execute',
    ],
    [
      'an invalid plan is repaired',
      fold(base(), planned, { kind: 'validated', valid: false, issues: [issue] }),
      'repair',
    ],
    [
      'an invalid plan after the last repair fails',
      fold(
        base(),
        planned,
        { kind: 'validated', valid: false, issues: [issue] },
        { kind: 'planned', source: 'repair', candidate: {}, text: '{}' },
        { kind: 'validated', valid: false, issues: [issue] },
      ),
      'fail',
    ],
    [
      'a final plan that succeeded is the answer',
      fold(base(), executed({ final: true })),
      'answer',
    ],
    ['a non-final plan is joined', fold(base(), executed()), 'join'],
    [
      'a failed plan is joined while re-plans remain',
      fold(base(), executed({ status: 'failed' })),
      'join',
    ],
    [
      'a suspended plan suspends',
      fold(base(), executed({ status: 'suspended', pending: [] })),
      'suspend',
    ],
    ['a join answer is the answer', fold(base(), { kind: 'joined', answer: 'x' }), 'answer'],
    [
      'a re-plan is validated',
      fold(base(), { kind: 'joined-plan', candidate: {}, text: '' }),
      'validate',
    ],
    [
      'a re-plan past the bound fails',
      fold(
        base(),
        { kind: 'joined-plan', candidate: {}, text: '' },
        { kind: 'joined-plan', candidate: {}, text: '' },
      ),
      'fail',
    ],
  ];
  it.each(table)('%s', (_name, state, expected) => {
    expect(decideNext(state, 1000).type).toBe(expected);
  });

  it('fails a plan after repairs with every issue', () => {
    const other = { ...issue, path: '/nodes/1' };
    const state = fold(
      base(),
      planned,
      { kind: 'validated', valid: false, issues: [issue] },
      { kind: 'planned', source: 'repair', candidate: {}, text: '{}' },
      { kind: 'validated', valid: false, issues: [issue, other] },
    );
    const step = decideNext(state, 1000);
    expect(step).toMatchObject({
      type: 'fail',
      error: { code: 'plan_invalid', issues: [issue, other] },
    });
  });

  it('a final plan output becomes text', () => {
    const step = decideNext(fold(base(), executed({ final: true, output: { n: 2 } })), 1000);
    expect(step).toEqual({ type: 'answer', answer: '{"n":2}' });
    expect(finalPlan.final).toBe(true);
  });

  it('a failed plan after the last re-plan fails with its error', () => {
    const state = fold(
      { ...base(), maxReplans: 0 },
      executed({ status: 'failed', error: { name: 'ToolError', message: 'boom', node: 'a' } }),
    );
    expect(decideNext(state, 1000)).toMatchObject({
      type: 'fail',
      error: { code: 'execution_failed' },
    });
  });

  it('a plan stopped by the budget fails the task instead of re-planning', () => {
    const state = fold(
      base(),
      executed({
        status: 'failed',
        error: { name: 'BudgetExceeded', message: 'max_tool_calls 3 reached' },
      }),
    );
    expect(decideNext(state, 1000)).toMatchObject({
      type: 'fail',
      error: { code: 'budget_exceeded' },
    });
  });

  it('stops before an LLM call once the call budget is spent', () => {
    const state = addUsage({ ...base(), budgets: { maxLlmCalls: 1 } }, { llmCalls: 1 });
    const join = fold(state, executed());
    expect(decideNext(join, 1000)).toMatchObject({
      type: 'fail',
      error: { code: 'budget_exceeded', budget: { name: 'maxLlmCalls', limit: 1, used: 1 } },
    });
    // Executing needs no LLM call: it goes on.
    expect(
      decideNext(fold(state, planned, { kind: 'validated', valid: true, plan }), 1000).type,
    ).toBe('execute');
  });

  it('fails once tokens, cost or the deadline are past their budget', () => {
    const s = { ...base(), budgets: { maxOutputTokens: 10, maxCostUsd: 1, deadlineMs: 50 } };
    expect(decideNext(addUsage(s, { outputTokens: 11 }), 1000)).toMatchObject({
      error: { budget: { name: 'maxOutputTokens' } },
    });
    expect(decideNext(addUsage(s, { costUsd: 1.5 }), 1000)).toMatchObject({
      error: { budget: { name: 'maxCostUsd' } },
    });
    expect(decideNext(s, 1051)).toMatchObject({ error: { budget: { name: 'deadlineMs' } } });
  });

  it('an answer is given even when the budget is just spent', () => {
    const s = addUsage({ ...base(), budgets: { maxLlmCalls: 1 } }, { llmCalls: 1 });
    expect(decideNext(fold(s, { kind: 'joined', answer: 'ok' }), 1000).type).toBe('answer');
  });

  it('folds outcomes: previous results, tool calls, counters', () => {
    let s = fold(base(), planned, { kind: 'validated', valid: true, plan }, executed());
    expect(s.previous).toEqual({ a: 1 });
    expect(s.toolCalls).toBe(1);
    expect(s.plans).toHaveLength(1);
    s = fold(s, { kind: 'joined-plan', candidate: {}, text: '' });
    expect(s.replans).toBe(1);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(s.version).toBe(1);
  });
});
