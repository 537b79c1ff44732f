import { describe, expect, it } from 'vitest';
import { executePlan, MemoryJournalStore, resumeRun } from '../../src/exec/index.ts';
import { runTask } from '../../src/loop/index.ts';
import { ScriptedModel } from '../../src/model/index.ts';
import { makeTools } from '../support/exec-tools.ts';

/**
 * Every public entry point checks its options before anything runs, as p-queue does: a
 * bad value is a ConfigError naming the option and quoting the value, never a run that
 * quietly maps nothing or turns a budget off.
 */
const mapPlan = {
  version: 1,
  nodes: [{ id: 'm', map: [1, 2, 3], do: [{ id: 'a', call: 'add', args: { a: 1, b: 2 } }] }],
};

async function refusal(options: Record<string, unknown>) {
  const { tools, log } = makeTools();
  const result = await executePlan(mapPlan, { tools, ...options });
  expect(log).toEqual([]);
  expect(result.status).toBe('failed');
  if (result.status !== 'failed') throw new Error('unreachable');
  expect(result.error.code).toBe('invalid_option');
  return result.error.message;
}

describe('executePlan refuses bad options, quoting the value', () => {
  it.each([
    [{ mapConcurrency: 0 }, 'option "mapConcurrency" must be an integer from 1 up', 'got 0'],
    [{ mapConcurrency: Number.NaN }, '"mapConcurrency"', 'got NaN'],
    [{ mapConcurrency: -1 }, '"mapConcurrency"', 'got -1'],
    [{ mapConcurrency: 1.5 }, '"mapConcurrency"', 'got 1.5'],
    [{ limits: { max_concurrency: 0 } }, '"limits.max_concurrency"', 'got 0'],
    [{ limits: { max_tool_calls: Number.NaN } }, '"limits.max_tool_calls"', 'got NaN'],
    [{ limits: { deadline_ms: -5 } }, '"limits.deadline_ms"', 'got -5'],
    [{ limits: 3 }, '"limits" must be an object', 'got 3'],
    [{ signal: 'stop' }, '"signal" must be an AbortSignal', 'got "stop" (string)'],
    [{ onEvent: 1 }, '"onEvent" must be a function', 'got 1'],
  ])('%j', async (options, what, got) => {
    const message = await refusal(options);
    expect(message).toContain(what);
    expect(message).toContain(got);
    expect(message.startsWith('executePlan:')).toBe(true);
  });

  it('accepts the good ones (Infinity included) and runs', async () => {
    const { tools } = makeTools();
    const result = await executePlan(mapPlan, {
      tools,
      mapConcurrency: Number.POSITIVE_INFINITY,
      limits: { max_concurrency: 2, max_tool_calls: 10, deadline_ms: 5000 },
    });
    expect(result).toMatchObject({ status: 'succeeded' });
  });

  it('resumeRun checks them too', async () => {
    const { tools } = makeTools();
    const result = await resumeRun('r1', {
      tools,
      store: new MemoryJournalStore(),
      limits: { max_concurrency: 0 },
    });
    expect(result.status === 'failed' && result.error.code).toBe('invalid_option');
  });
});

describe('runTask refuses bad options', () => {
  it.each([
    [{ budgets: { maxToolCalls: Number.NaN } }, '"budgets.maxToolCalls"'],
    [{ budgets: { maxLlmCalls: -1 } }, '"budgets.maxLlmCalls"'],
    [{ maxTurns: 0 }, '"maxTurns"'],
  ])('%j', async (options, what) => {
    const model = new ScriptedModel([]);
    const { tools } = makeTools();
    const result = await runTask('t', { model, tools, ...options });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('invalid_option');
    expect(result.error?.message).toContain(what);
  });
});
