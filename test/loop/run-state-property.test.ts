import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addUsage,
  applyOutcome,
  type Budgets,
  decideNext,
  exceededBudget,
  initialState,
  type LoopOutcome,
  type NextStep,
} from '../../src/loop/run-state.ts';
import type { PlanT } from '../../src/plan/plan-schema.ts';

/**
 * The plan loop as a pure machine, driven by a random world: the LLM writes valid or invalid
 * plans, asks to re-plan or answers, plans succeed, fail, run out of budget or suspend, and
 * every LLM call costs random tokens and time. Whatever the world does, the loop never
 * repairs or re-plans more than allowed, never calls the LLM past its call budget, stops
 * as soon as a budget is gone, and always reaches an end.
 */

const plan: PlanT = { version: 1, nodes: [{ id: 'a', call: 't', args: {} }] };
const issue = { path: '/nodes', code: 'unknown_tool', message: 'bad', severity: 'error' as const };
const LLM_STEPS = new Set(['plan', 'repair', 'join']);
const TERMINAL = new Set(['answer', 'fail', 'suspend']);

/** One world decision per step, read from a random tape. */
interface Choice {
  valid: boolean;
  status: 'succeeded' | 'failed' | 'suspended' | 'cancelled';
  final: boolean;
  budgetError: boolean;
  replan: boolean;
  toolCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  elapsed: number;
}

const choice: fc.Arbitrary<Choice> = fc.record({
  valid: fc.boolean(),
  status: fc.constantFrom('succeeded', 'succeeded', 'failed', 'failed', 'suspended', 'cancelled'),
  final: fc.boolean(),
  budgetError: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  replan: fc.boolean(),
  toolCalls: fc.integer({ min: 0, max: 6 }),
  inputTokens: fc.integer({ min: 0, max: 400 }),
  outputTokens: fc.integer({ min: 0, max: 200 }),
  costUsd: fc.double({ min: 0, max: 0.05, noNaN: true }),
  elapsed: fc.integer({ min: 0, max: 300 }),
});

const opt = (arb: fc.Arbitrary<number>) => fc.option(arb, { nil: undefined });
const budgets: fc.Arbitrary<Budgets> = fc
  .record({
    maxLlmCalls: opt(fc.integer({ min: 0, max: 12 })),
    maxInputTokens: opt(fc.integer({ min: 0, max: 3000 })),
    maxOutputTokens: opt(fc.integer({ min: 0, max: 1500 })),
    maxCostUsd: opt(fc.double({ min: 0, max: 0.3, noNaN: true })),
    deadlineMs: opt(fc.integer({ min: 0, max: 3000 })),
    maxToolCalls: opt(fc.integer({ min: 0, max: 30 })),
  })
  .map((b) => Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined)));

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** What the world answers to a step. */
function outcomeOf(step: NextStep, c: Choice): LoopOutcome | undefined {
  switch (step.type) {
    case 'plan':
      return { kind: 'planned', source: 'plan', candidate: plan, text: '{}' };
    case 'repair':
      return { kind: 'planned', source: 'repair', candidate: plan, text: '{}' };
    case 'validate':
      return c.valid
        ? { kind: 'validated', valid: true, plan }
        : { kind: 'validated', valid: false, issues: [issue] };
    case 'execute':
      return {
        kind: 'executed',
        status: c.status,
        final: c.final,
        output: 'out',
        nodeOutputs: { a: 1 },
        toolCalls: c.toolCalls,
        error:
          c.status === 'failed'
            ? { name: c.budgetError ? 'BudgetExceeded' : 'ToolError', message: 'x' }
            : undefined,
        pending: c.status === 'suspended' ? [] : undefined,
      };
    case 'join':
      return c.replan
        ? { kind: 'joined-plan', candidate: plan, text: '{}' }
        : { kind: 'joined', answer: 'done' };
    default:
      return undefined;
  }
}

describe('decideNext / applyOutcome under a random world (property)', () => {
  it('bounded repairs, re-plans and budgets; always terminates; pure and serialisable', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        budgets,
        fc.array(choice, { minLength: 200, maxLength: 200 }),
        (maxRepairs, maxReplans, b, tape) => {
          let now = 1_000;
          let state = initialState('task', { startedAt: now, maxRepairs, maxReplans, budgets: b });
          let executions = 0;
          let valids = 0;
          let llmSteps = 0;
          let steps = 0;
          // Every LLM step gives one plan or answer; re-plans and repairs are bounded, so is this.
          const bound = (maxReplans + 2) * (maxRepairs + 1) * 4 + 4;
          for (;;) {
            steps += 1;
            expect(steps, 'the loop did not end').toBeLessThanOrEqual(bound);
            const c = tape[steps % tape.length]!;
            const step = decideNext(deepFreeze(state), now);
            // A budget that is gone stops the loop at once (an answer already won stays).
            const gone = exceededBudget(state, now, LLM_STEPS.has(step.type));
            if (gone) expect(['fail', 'answer']).toContain(step.type);
            if (step.type === 'fail' && step.error.code === 'budget_exceeded' && step.error.budget)
              expect(step.error.budget.used).toBeGreaterThanOrEqual(step.error.budget.limit);
            if (TERMINAL.has(step.type)) break;

            if (step.type === 'repair') expect(state.repairs).toBeLessThan(maxRepairs);
            if (step.type === 'execute') executions += 1;
            if (LLM_STEPS.has(step.type)) {
              llmSteps += 1;
              if (b.maxLlmCalls !== undefined)
                expect(state.usage.llmCalls).toBeLessThan(b.maxLlmCalls);
              state = addUsage(state, {
                llmCalls: 1,
                inputTokens: c.inputTokens,
                outputTokens: c.outputTokens,
                costUsd: c.costUsd,
              });
            }
            const outcome = outcomeOf(step, c)!;
            const before = JSON.stringify(state);
            const next = applyOutcome(deepFreeze(state), outcome);
            expect(JSON.stringify(state)).toBe(before);
            expect(JSON.parse(JSON.stringify(next))).toEqual(next);
            state = next;
            now += c.elapsed;

            expect(state.repairs).toBeLessThanOrEqual(maxRepairs);
            expect(state.replans).toBeLessThanOrEqual(maxReplans + 1);
            expect(executions).toBeLessThanOrEqual(maxReplans + 1);
            if (step.type === 'validate' && c.valid) valids += 1;
            expect(state.plans.length).toBe(valids);
            expect(executions).toBeLessThanOrEqual(valids);
          }
          if (b.maxLlmCalls !== undefined)
            expect(state.usage.llmCalls).toBeLessThanOrEqual(b.maxLlmCalls);
          expect(state.usage.llmCalls).toBe(llmSteps);
          expect(state.plans.length).toBeLessThanOrEqual(maxReplans + 1);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a failed plan goes back to the LLM only while re-plans remain', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 5 }), (max, used) => {
        let s = initialState('t', { startedAt: 0, maxRepairs: 0, maxReplans: max, budgets: {} });
        s = { ...s, replans: used };
        s = applyOutcome(s, {
          kind: 'executed',
          status: 'failed',
          final: false,
          output: null,
          nodeOutputs: {},
          toolCalls: 0,
          error: { name: 'ToolError', message: 'x' },
        });
        const step = decideNext(s, 0);
        if (used < max) expect(step.type).toBe('join');
        else expect(step).toMatchObject({ type: 'fail', error: { code: 'execution_failed' } });
      }),
    );
  });

  it('tool calls of every plan add up and stop the task once past maxToolCalls', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 30 }),
        (calls, limit) => {
          let s = initialState('t', {
            startedAt: 0,
            maxRepairs: 0,
            maxReplans: 10,
            budgets: { maxToolCalls: limit },
          });
          let total = 0;
          for (const n of calls) {
            total += n;
            s = applyOutcome(s, {
              kind: 'executed',
              status: 'succeeded',
              final: false,
              output: null,
              nodeOutputs: {},
              toolCalls: n,
            });
            expect(s.toolCalls).toBe(total);
            const step = decideNext(s, 0);
            if (total > limit)
              expect(step).toMatchObject({
                type: 'fail',
                error: { budget: { name: 'maxToolCalls' } },
              });
            else expect(step.type).toBe('join');
          }
        },
      ),
    );
  });
});
