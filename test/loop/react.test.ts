// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { afterEach, describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../../src/errors/runtime-errors.ts';
import { runTask } from '../../src/loop/run-task.ts';
import { callsReply, type FakeLlm, messagesOf, startLlm, textReply } from './support/llm-server.ts';
import { shopTools } from './support/shop-tools.ts';

let llm: FakeLlm | undefined;
afterEach(async () => {
  await llm?.close();
  llm = undefined;
});

describe('react mode', () => {
  it('parallel: every independent call in one turn', async () => {
    llm = await startLlm();
    llm.reply(
      callsReply([
        { name: 'get_orders', args: { user_id: 'u1' } },
        { name: 'get_orders', args: { user_id: 'u2' } },
      ]),
      textReply('u1 and u2 have 3 orders'),
    );
    const { tools, log } = shopTools({ latencyMs: 50 });
    const result = await runTask('x', {
      model: llm.model,
      tools,
      mode: 'react',
      reactStyle: 'parallel',
    });
    expect(result).toMatchObject({ status: 'answered', answer: 'u1 and u2 have 3 orders' });
    expect(result.usage.llmCalls).toBe(2);
    const [a, b] = log.calls;
    expect(Math.max(a!.start, b!.start)).toBeLessThan(Math.min(a!.end, b!.end));
    const toolMessages = messagesOf(llm.bodies()[1]!).filter((m) => m.role === 'tool');
    expect(toolMessages).toHaveLength(2);
    expect(String(toolMessages[0]!.content)).toContain('o1');
  });

  it('single: one call a turn, results as tool messages', async () => {
    llm = await startLlm();
    llm.reply(
      callsReply([{ name: 'get_orders', args: { user_id: 'u1' } }]),
      callsReply([
        { name: 'calculate_total', args: { orders: [{ amount: 10 }, { amount: 5.5 }] } },
      ]),
      textReply('15.5'),
    );
    const { tools, log } = shopTools();
    const result = await runTask('x', {
      model: llm.model,
      tools,
      mode: 'react',
      reactStyle: 'single',
    });
    expect(result).toMatchObject({ status: 'answered', answer: '15.5' });
    expect(result.usage.llmCalls).toBe(3);
    expect(log.calls.map((c) => c.name)).toEqual(['get_orders', 'calculate_total']);
    expect(String(messagesOf(llm.bodies()[0]!)[0]!.content)).toContain('one tool per turn');
  });

  it('react budgets hold too', async () => {
    llm = await startLlm();
    llm.reply(callsReply([{ name: 'get_orders', args: { user_id: 'u1' } }]));
    const { tools } = shopTools();
    const result = await runTask('x', {
      model: llm.model,
      tools,
      mode: 'react',
      budgets: { maxLlmCalls: 1 },
    });
    expect(result.error).toBeInstanceOf(BudgetExceededError);
  });
});

describe('react mode: tools run through the executor’s timeout and signal race', () => {
  const stubborn = {
    name: 'stubborn',
    description: 'never answers and ignores its signal',
    inputSchema: { type: 'object', properties: {} },
    timeout_ms: 200,
    execute: () => new Promise(() => {}),
  };

  it('timeout_ms ends a call whose tool ignores its signal; the LLM sees a Timeout', async () => {
    llm = await startLlm();
    llm.reply(callsReply([{ name: 'stubborn', args: {} }]), textReply('gave up'));
    const result = await runTask('x', { model: llm.model, tools: [stubborn], mode: 'react' });
    expect(result).toMatchObject({ status: 'answered', answer: 'gave up' });
    const toolMessages = messagesOf(llm.bodies()[1]!).filter((m) => m.role === 'tool');
    expect(String(toolMessages[0]!.content)).toContain('Timeout');
  });

  it('the task deadline ends it too', async () => {
    llm = await startLlm();
    llm.reply(callsReply([{ name: 'stubborn', args: {} }]), textReply('late'));
    const { timeout_ms: _none, ...forever } = stubborn;
    const result = await runTask('x', {
      model: llm.model,
      tools: [forever],
      mode: 'react',
      budgets: { deadlineMs: 300 },
    });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('budget_exceeded');
  });
});
