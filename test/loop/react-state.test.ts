import { describe, expect, it } from 'vitest';
import {
  applyReactOutcome,
  decideReactNext,
  initialReactState,
  type ReactState,
} from '../../src/loop/react-state.ts';
import type { ToolCall, ToolResult } from '../../src/model/messages.ts';

const usage = { llmCalls: 1, inputTokens: 100, outputTokens: 10, costUsd: 0.01 };
const call: ToolCall = { id: 'c1', name: 'lookup', args: { q: 'x' } };
const ok: ToolResult = { toolCallId: 'c1', name: 'lookup', content: '1', isError: false };
const start = (over: Partial<ReactState> = {}) => ({
  ...initialReactState({ budgets: {}, maxTurns: 3, startedAt: 1000 }),
  ...over,
});
const replied = (state: ReactState, text: string, toolCalls: ToolCall[] = []) =>
  applyReactOutcome(state, { kind: 'replied', text, toolCalls, usage });

describe('decideReactNext', () => {
  it('asks first, answers a reply without calls (trimmed), runs a reply with calls', () => {
    expect(decideReactNext(start(), 1000)).toEqual({ type: 'ask' });
    expect(decideReactNext(replied(start(), ' done \n'), 1000)).toEqual({
      type: 'answer',
      answer: 'done',
    });
    expect(decideReactNext(replied(start(), 'let me look', [call]), 1000)).toEqual({
      type: 'run-tools',
      text: 'let me look',
      calls: [call],
    });
  });

  it('asks again after a turn ran, and suspends on the calls that await approval', () => {
    const ran = (results: (ToolResult | 'suspend')[]) =>
      applyReactOutcome(replied(start(), '', [call, { ...call, id: 'c2' }]), {
        kind: 'ran',
        calls: [call, { ...call, id: 'c2' }],
        results,
        started: 1,
      });
    const after = ran([ok, ok]);
    expect(after.toolCalls).toBe(1);
    expect(after.turns).toBe(1);
    expect(decideReactNext(after, 1000)).toEqual({ type: 'ask' });
    expect(decideReactNext(ran([ok, 'suspend']), 1000)).toEqual({
      type: 'suspend',
      pending: [{ nodeId: 'c2', tool: 'lookup', args: { q: 'x' } }],
    });
  });

  it('fails after maxTurns turns, and on a budget before an LLM call or after a reply', () => {
    const s = start({ maxTurns: 1 });
    const turn = applyReactOutcome(replied(s, '', [call]), {
      kind: 'ran',
      calls: [call],
      results: [ok],
      started: 1,
    });
    expect(decideReactNext(turn, 1000)).toMatchObject({
      type: 'fail',
      error: { code: 'replans_exhausted' },
    });
    const calls = start({ budgets: { maxLlmCalls: 1 } });
    expect(decideReactNext(replied(calls, 'x', [call]), 1000)).toEqual({
      type: 'run-tools',
      text: 'x',
      calls: [call],
    });
    const again = applyReactOutcome(replied(calls, 'x', [call]), {
      kind: 'ran',
      calls: [call],
      results: [ok],
      started: 1,
    });
    expect(decideReactNext(again, 1000)).toMatchObject({
      type: 'fail',
      error: { code: 'budget_exceeded', budget: { name: 'maxLlmCalls', limit: 1, used: 1 } },
    });
    const tokens = replied(start({ budgets: { maxOutputTokens: 5 } }), 'x');
    expect(decideReactNext(tokens, 1000)).toMatchObject({
      type: 'fail',
      error: { code: 'budget_exceeded', budget: { name: 'maxOutputTokens' } },
    });
    expect(decideReactNext(start({ budgets: { deadlineMs: 50 } }), 1051)).toMatchObject({
      type: 'fail',
      error: { budget: { name: 'deadlineMs' } },
    });
  });

  it('sums usage over turns, estimated once any reply was', () => {
    const two = applyReactOutcome(replied(start(), 'a', [call]), {
      kind: 'replied',
      text: 'b',
      toolCalls: [],
      usage: { ...usage, estimated: true },
    });
    expect(two.usage).toEqual({
      llmCalls: 2,
      inputTokens: 200,
      outputTokens: 20,
      costUsd: 0.02,
      estimated: true,
    });
  });
});
