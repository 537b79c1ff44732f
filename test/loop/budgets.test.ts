// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { afterEach, describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../../src/errors/runtime-errors.ts';
import { runTask } from '../../src/loop/run-task.ts';
import { type FakeLlm, planCall, startLlm } from './support/llm-server.ts';
import { FAN_OUT_PLAN as fanOut } from './support/plans.ts';
import { shopTools } from './support/shop-tools.ts';

let llm: FakeLlm | undefined;
afterEach(async () => {
  await llm?.close();
  llm = undefined;
});

describe('budgets', () => {
  it('stops before a join once the LLM-call budget is spent', async () => {
    llm = await startLlm();
    const plan = { version: 1, nodes: [{ id: 'user', call: 'get_user', args: { user_id: 'u1' } }] };
    llm.reply(planCall(plan));
    const { tools } = shopTools();
    const result = await runTask('x', { model: llm.model, tools, budgets: { maxLlmCalls: 1 } });
    expect(result.status).toBe('failed');
    expect(result.error).toBeInstanceOf(BudgetExceededError);
    expect(result.error?.details).toMatchObject({ name: 'maxLlmCalls', limit: 1 });
    expect(llm.server.requests).toHaveLength(1);
    expect(result.usage.llmCalls).toBe(1);
  });

  it('fails once output tokens pass their budget, and caps max tokens on the request', async () => {
    llm = await startLlm();
    const plan = { version: 1, nodes: [{ id: 'user', call: 'get_user', args: { user_id: 'u1' } }] };
    llm.reply(planCall(plan, 150));
    const { tools, log } = shopTools();
    const result = await runTask('x', {
      model: llm.model,
      tools,
      budgets: { maxOutputTokens: 100 },
    });
    expect(result.error).toBeInstanceOf(BudgetExceededError);
    expect(result.error?.details).toMatchObject({ name: 'maxOutputTokens', used: 150 });
    expect(llm.bodies()[0]!.max_completion_tokens ?? llm.bodies()[0]!.max_tokens).toBe(100);
    // The plan is never executed (a read-only prefetch may have started while it streamed).
    expect(result.plans).toHaveLength(0);
    expect(log.calls.length).toBeLessThanOrEqual(1);
  });

  it('counts tokens across plans and re-plans', async () => {
    llm = await startLlm();
    const plan = { version: 1, nodes: [{ id: 'user', call: 'get_user', args: { user_id: 'u1' } }] };
    llm.reply(planCall(plan), planCall(plan));
    const { tools } = shopTools();
    const result = await runTask('x', {
      model: llm.model,
      tools,
      budgets: { maxInputTokens: 700 },
    });
    expect(result.error).toBeInstanceOf(BudgetExceededError);
    expect(result.usage.inputTokens).toBe(800);
  });
});

describe('tool-call budget', () => {
  it('the remaining tool calls bound the executor; past them the task fails', async () => {
    llm = await startLlm();
    llm.reply(planCall(fanOut));
    const { tools, log } = shopTools();
    const result = await runTask('x', {
      model: llm.model,
      tools,
      budgets: { maxToolCalls: 2 },
    });
    expect(result.error).toBeInstanceOf(BudgetExceededError);
    expect(log.calls.length).toBeLessThanOrEqual(2);
    expect(llm.server.requests).toHaveLength(1);
  });
});

describe('deadline and cancellation', () => {
  it('a deadline cuts a slow LLM call short with BudgetExceeded', async () => {
    llm = await startLlm('openai', { firstChunkMs: 2000, chunkMs: 0 });
    llm.reply(planCall(fanOut));
    const { tools } = shopTools();
    const t0 = performance.now();
    const result = await runTask('x', { model: llm.model, tools, budgets: { deadlineMs: 150 } });
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(result.error).toBeInstanceOf(BudgetExceededError);
    expect(result.error?.details).toMatchObject({ name: 'deadlineMs', limit: 150 });
  });

  it("the caller's signal cancels the task", async () => {
    llm = await startLlm('openai', { firstChunkMs: 2000, chunkMs: 0 });
    llm.reply(planCall(fanOut));
    const { tools } = shopTools();
    const result = await runTask('x', {
      model: llm.model,
      tools,
      signal: AbortSignal.timeout(100),
    });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('cancelled');
  });
});
