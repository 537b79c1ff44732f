// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  backoffDelay,
  executePlan,
  foldEvents,
  type RunEvent,
  resolveRetry,
} from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';

/** Retries, backoff with jitter, `retry.on`, timeouts per attempt and fallback chains. */

interface Try {
  tool: string;
  key: string;
  attempt: number;
}

/**
 * A tool that runs `script[n]` on its n-th call: 'ok', an error name to throw, 'slow' (waits
 * 200 ms, honouring its signal), 'hang' (never settles, ignores its signal).
 */
function scripted(name: string, script: string[], tries: Try[], extra: Partial<Tool> = {}) {
  let n = 0;
  const aborts: unknown[] = [];
  const tool: Tool = {
    name,
    description: name,
    inputSchema: z.object({}).passthrough(),
    execute: (_a, ctx) => {
      tries.push({ tool: name, key: ctx.idempotencyKey, attempt: ctx.attempt });
      const step = script[Math.min(n, script.length - 1)]!;
      n += 1;
      if (step === 'ok') return { from: name, attempt: ctx.attempt };
      if (step === 'hang') return new Promise(() => {});
      if (step === 'slow')
        return new Promise((resolve, reject) => {
          const t = setTimeout(() => resolve({ from: name, slow: true }), 200);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(t);
            aborts.push(ctx.signal.reason);
            reject(ctx.signal.reason);
          });
        });
      const [errName, flag] = step.split(':');
      const e = new Error(`${name} failed with ${errName}`);
      e.name = errName!;
      if (flag === 'fatal') Object.assign(e, { retryable: false });
      throw e;
    },
    ...extra,
  };
  return { tool, aborts };
}

const failedTries = (events: RunEvent[]) =>
  events.filter((e) => e.type === 'node.attempt_failed') as Array<
    Extract<RunEvent, { type: 'node.attempt_failed' }>
  >;

async function runOne(node: Record<string, unknown>, tools: Tool[], random = () => 0.5) {
  const events: RunEvent[] = [];
  const result = await executePlan(
    { version: 1, nodes: [{ id: 'n', ...node }] },
    { tools, random, runId: 'RT', onEvent: (e) => events.push(e) },
  );
  return { result, events };
}

describe('attempts', () => {
  it('attempts counts every try, the first included; ctx.attempt and the key follow', async () => {
    const tries: Try[] = [];
    const { tool } = scripted('t', ['Error', 'Error', 'ok'], tries);
    const { result } = await runOne({ call: 't', retry: { attempts: 3, delay_ms: 0 } }, [tool]);
    expect(result).toMatchObject({ status: 'succeeded', output: { n: { attempt: 3 } } });
    expect(tries).toEqual([
      { tool: 't', key: 'RT/n', attempt: 1 },
      { tool: 't', key: 'RT/n', attempt: 2 },
      { tool: 't', key: 'RT/n', attempt: 3 },
    ]);
    expect(result.stats.toolCalls).toBe(3);
  });

  it('the last error goes on once attempts are spent', async () => {
    const tries: Try[] = [];
    const { tool } = scripted('t', ['ToolError'], tries);
    const { result, events } = await runOne({ call: 't', retry: { attempts: 4, delay_ms: 0 } }, [
      tool,
    ]);
    expect(result).toMatchObject({ status: 'failed', error: { name: 'ToolError', node: 'n' } });
    expect(tries).toHaveLength(4);
    // No backoff is announced after the last try.
    expect(failedTries(events).map((e) => e.retry_in_ms)).toEqual([0, 0, 0, undefined]);
  });

  it('attempts 1 (the default) never retries', async () => {
    const tries: Try[] = [];
    const { tool } = scripted('t', ['Error', 'ok'], tries);
    const { result } = await runOne({ call: 't' }, [tool]);
    expect(result.status).toBe('failed');
    expect(tries).toHaveLength(1);
  });

  it('the tool default retry applies when the node sets none; the node fields win', async () => {
    const tries: Try[] = [];
    const { tool } = scripted('t', ['Error', 'Error', 'ok'], tries, {
      retry: { attempts: 3, delay_ms: 0 },
    });
    expect((await runOne({ call: 't' }, [tool])).result.status).toBe('succeeded');
    const tries2: Try[] = [];
    const { tool: tool2 } = scripted('t', ['Error', 'Error', 'ok'], tries2, {
      retry: { attempts: 3, delay_ms: 0 },
    });
    const { result } = await runOne({ call: 't', retry: { attempts: 2 } }, [tool2]);
    expect(result.status).toBe('failed');
    expect(tries2).toHaveLength(2);
  });
});

describe('backoff and jitter', () => {
  it('without jitter: delay_ms * factor^(n-1), capped at max_delay_ms', async () => {
    const tries: Try[] = [];
    const { tool } = scripted('t', ['Error'], tries);
    const { events } = await runOne(
      {
        call: 't',
        retry: { attempts: 5, delay_ms: 2, factor: 3, max_delay_ms: 10, jitter: 'none' },
      },
      [tool],
    );
    expect(failedTries(events).map((e) => e.retry_in_ms)).toEqual([2, 6, 10, 10, undefined]);
  });

  it('full jitter uses the injected random: uniform in [0, cap]', async () => {
    const tries: Try[] = [];
    const { tool } = scripted('t', ['Error'], tries);
    const seq = [0, 0.999, 0.5];
    let i = 0;
    const { events } = await runOne(
      { call: 't', retry: { attempts: 4, delay_ms: 4, factor: 2, max_delay_ms: 12 } },
      [tool],
      () => seq[i++ % seq.length]!,
    );
    // caps 4, 8, 12: floor(0 * 4), floor(0.999 * 8), floor(0.5 * 12).
    expect(failedTries(events).map((e) => e.retry_in_ms)).toEqual([0, 7, 6, undefined]);
  });

  it('every jittered delay is within [0, min(max_delay_ms, delay_ms * factor^(n-1))] (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          attempts: fc.integer({ min: 1, max: 10 }),
          delay_ms: fc.integer({ min: 0, max: 10_000 }),
          factor: fc.double({ min: 1, max: 5, noNaN: true }),
          max_delay_ms: fc.integer({ min: 0, max: 60_000 }),
          jitter: fc.constantFrom('full' as const, 'none' as const),
        }),
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (policy, attempt, r) => {
          const resolved = resolveRetry(undefined, policy);
          const d = backoffDelay(resolved, attempt, () => r);
          const cap = Math.min(
            policy.max_delay_ms,
            policy.delay_ms * policy.factor ** (attempt - 1),
          );
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(cap);
          expect(d).toBeLessThanOrEqual(policy.max_delay_ms);
          if (policy.jitter === 'none') expect(d).toBe(cap);
        },
      ),
    );
  });
});

describe('retry.on and retryable', () => {
  it('errors not named in on fail at once', async () => {
    const tries: Try[] = [];
    const { tool } = scripted('t', ['RateLimited', 'ok'], tries);
    const { result } = await runOne(
      { call: 't', retry: { attempts: 3, delay_ms: 0, on: ['Timeout'] } },
      [tool],
    );
    expect(result).toMatchObject({ status: 'failed', error: { name: 'RateLimited' } });
    expect(tries).toHaveLength(1);
  });

  it('a custom error name in on is retried', async () => {
    const tries: Try[] = [];
    const { tool } = scripted('t', ['RateLimited', 'RateLimited', 'ok'], tries);
    const { result } = await runOne(
      { call: 't', retry: { attempts: 3, delay_ms: 0, on: ['RateLimited'] } },
      [tool],
    );
    expect(result.status).toBe('succeeded');
    expect(tries).toHaveLength(3);
  });

  it('by default ToolError and Timeout are retried (a plain Error is a ToolError)', async () => {
    const tries: Try[] = [];
    const { tool } = scripted('t', ['Error', 'ok'], tries);
    const { result, events } = await runOne({ call: 't', retry: { attempts: 2, delay_ms: 0 } }, [
      tool,
    ]);
    expect(result.status).toBe('succeeded');
    expect(failedTries(events)[0]!.error.name).toBe('ToolError');
  });

  it('an error the tool marks not retryable is never retried, even if named in on', async () => {
    const tries: Try[] = [];
    const { tool } = scripted('t', ['ToolError:fatal', 'ok'], tries);
    const { result } = await runOne(
      { call: 't', retry: { attempts: 5, delay_ms: 0, on: ['ToolError'] } },
      [tool],
    );
    expect(result).toMatchObject({ status: 'failed', error: { name: 'ToolError' } });
    expect(tries).toHaveLength(1);
  });

  it('InvalidArgs is not a try: the tool is never called and nothing is retried', async () => {
    const tries: Try[] = [];
    const strict = scripted('t', ['ok'], tries, { inputSchema: z.object({ n: z.number() }) }).tool;
    const { result } = await runOne(
      { call: 't', args: { n: 'nope' }, retry: { attempts: 3, delay_ms: 0, on: ['InvalidArgs'] } },
      [strict],
    );
    expect(result).toMatchObject({ status: 'failed', error: { name: 'InvalidArgs' } });
    expect(tries).toHaveLength(0);
  });
});

describe('timeouts', () => {
  it('timeout_ms bounds each attempt; the timed-out attempt sees its signal aborted', async () => {
    const tries: Try[] = [];
    const { tool, aborts } = scripted('t', ['slow', 'ok'], tries);
    const { result, events } = await runOne(
      { call: 't', timeout_ms: 20, retry: { attempts: 2, delay_ms: 0 } },
      [tool],
    );
    expect(result).toMatchObject({ status: 'succeeded', output: { n: { attempt: 2 } } });
    expect(aborts).toHaveLength(1);
    expect(aborts[0]).toMatchObject({ name: 'Timeout' });
    expect(failedTries(events)[0]!.error).toMatchObject({ name: 'Timeout', code: 'timeout' });
  });

  it('a tool ignoring its signal cannot hold the run: each attempt times out', async () => {
    const tries: Try[] = [];
    const { tool } = scripted('t', ['hang'], tries);
    const { result, events } = await runOne(
      { call: 't', timeout_ms: 15, retry: { attempts: 3, delay_ms: 0 } },
      [tool],
    );
    expect(result).toMatchObject({ status: 'failed', error: { name: 'Timeout', node: 'n' } });
    expect(tries).toHaveLength(3);
    // Each try ended by its timeout, not by the hung tool (which never settles).
    const failed = failedTries(events).map((e) => e.error);
    expect(failed).toHaveLength(3);
    for (const e of failed) expect(e).toMatchObject({ name: 'Timeout', code: 'timeout' });
  });

  it('the tool own timeout_ms applies when the node sets none; the node value wins', async () => {
    const tries: Try[] = [];
    const { tool } = scripted('t', ['hang'], tries, { timeout_ms: 15 });
    expect((await runOne({ call: 't' }, [tool])).result).toMatchObject({
      error: { name: 'Timeout' },
    });
    const { tool: slow } = scripted('t', ['slow'], [], { timeout_ms: 15 });
    const { result } = await runOne({ call: 't', timeout_ms: 1000 }, [slow]);
    expect(result).toMatchObject({ status: 'succeeded', output: { n: { slow: true } } });
  });

  it('Timeout not named in on is not retried', async () => {
    const tries: Try[] = [];
    const { tool } = scripted('t', ['hang'], tries);
    const { result } = await runOne(
      { call: 't', timeout_ms: 10, retry: { attempts: 3, delay_ms: 0, on: ['ToolError'] } },
      [tool],
    );
    expect(result).toMatchObject({ status: 'failed', error: { name: 'Timeout' } });
    expect(tries).toHaveLength(1);
  });
});

describe('fallback chains', () => {
  it('alternatives run in order after the retries are spent, each with the node policy', async () => {
    const tries: Try[] = [];
    const a = scripted('a', ['Error'], tries).tool;
    const b = scripted('b', ['Error'], tries).tool;
    const c = scripted('c', ['Error', 'ok'], tries).tool;
    const { result, events } = await runOne(
      {
        call: 'a',
        retry: { attempts: 2, delay_ms: 0 },
        fallback: [{ call: 'b' }, { call: 'c' }, { value: 'never' }],
      },
      [a, b, c],
    );
    expect(result).toMatchObject({ status: 'succeeded', output: { n: { from: 'c', attempt: 2 } } });
    expect(tries.map((t) => `${t.tool}${t.attempt}@${t.key}`)).toEqual([
      'a1@RT/n',
      'a2@RT/n',
      'b1@RT/n/fallback/0',
      'b2@RT/n/fallback/0',
      'c1@RT/n/fallback/1',
      'c2@RT/n/fallback/1',
    ]);
    // Every try is journaled on the node, naming its tool.
    const tools = events
      .filter((e) => e.type === 'node.started' || e.type === 'node.attempt')
      .map((e) => (e as { tool?: string }).tool);
    expect(tools).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
  });

  it('a value alternative may read other nodes; the first alternative that works wins', async () => {
    const tries: Try[] = [];
    const a = scripted('a', ['Error'], tries).tool;
    const events: RunEvent[] = [];
    const result = await executePlan(
      {
        version: 1,
        nodes: [
          { id: 'price', value: 9.5 },
          {
            id: 'q',
            call: 'a',
            fallback: [{ value: "${ {'price': price, 'stale': true} }" }, { call: 'a' }],
          },
        ],
        output: '${q}',
      },
      { tools: [a], onEvent: (e) => events.push(e) },
    );
    expect(result).toMatchObject({ status: 'succeeded', output: { price: 9.5, stale: true } });
    expect(tries).toHaveLength(1);
  });

  it('when every alternative fails, the last error goes on', async () => {
    const tries: Try[] = [];
    const a = scripted('a', ['First'], tries).tool;
    const b = scripted('b', ['Second'], tries).tool;
    const { result } = await runOne({ call: 'a', fallback: [{ call: 'b' }] }, [a, b]);
    expect(result).toMatchObject({ status: 'failed', error: { name: 'Second', node: 'n' } });
  });

  it('a budget stop is not papered over by a fallback', async () => {
    const tries: Try[] = [];
    const a = scripted('a', ['ok'], tries).tool;
    const b = scripted('b', ['Error'], tries).tool;
    const result = await executePlan(
      {
        version: 1,
        nodes: [
          { id: 'first', call: 'a' },
          { id: 'second', after: ['first'], call: 'b', fallback: [{ call: 'a' }] },
        ],
        limits: { max_tool_calls: 1 },
      },
      { tools: [a, b] },
    );
    expect(result).toMatchObject({ status: 'failed', error: { name: 'BudgetExceeded' } });
    expect(tries.map((t) => t.tool)).toEqual(['a']);
  });
});

describe('a call whose own arguments fail its input schema at run time (InvalidArgs)', () => {
  /** `greet` wants a string name; `${user.id}` resolves to a number when the plan runs. */
  function greetWorld(tries: Try[]) {
    const greet: Tool = {
      name: 'greet',
      description: 'greets a name',
      inputSchema: z.object({ name: z.string() }),
      execute: ({ name }: { name: string }, ctx) => {
        tries.push({ tool: 'greet', key: ctx.idempotencyKey, attempt: ctx.attempt });
        return { hello: name };
      },
    };
    const user: Tool = {
      name: 'get_user',
      description: 'a user',
      inputSchema: z.object({}),
      execute: () => ({ id: 7, name: 'Ada' }),
    };
    return [greet, user];
  }

  async function run(call: Record<string, unknown>, tries: Try[], extra: Tool[] = []) {
    const events: RunEvent[] = [];
    const result = await executePlan(
      {
        version: 1,
        nodes: [
          { id: 'user', call: 'get_user' },
          {
            id: 'g',
            call: 'greet',
            args: { name: '${user.id}' },
            retry: { attempts: 3, delay_ms: 0, on: ['InvalidArgs', 'ToolError'] },
            ...call,
          },
        ],
        output: '${g}',
      },
      { tools: [...greetWorld(tries), ...extra], runId: 'IA', onEvent: (e) => events.push(e) },
    );
    // The journal folds without an illegal transition to the state the run reported.
    const folded = foldEvents(events, 'IA');
    expect(folded.status).toBe(result.status);
    expect(Object.fromEntries([...folded.nodes].map(([k, r]) => [k, r.status]))).toMatchObject(
      result.status === 'succeeded' ? { user: 'succeeded', g: 'succeeded' } : { g: 'failed' },
    );
    const ofG = events.filter((e) => 'key' in e && e.key === 'g');
    return { result, events: ofG };
  }

  it('goes on to a value alternative, never calling the tool nor retrying', async () => {
    const tries: Try[] = [];
    const { result, events } = await run(
      { fallback: [{ value: "${ {'hello': user.name} }" }] },
      tries,
    );
    expect(result).toMatchObject({ status: 'succeeded', output: { hello: 'Ada' } });
    expect(tries).toEqual([]);
    // get_user only: the invalid call was never made.
    expect(result.stats.toolCalls).toBe(1);
    expect(events.map((e) => e.type)).toEqual([
      'node.started',
      'node.attempt_failed',
      'node.succeeded',
    ]);
    // The start is not a try (no call was made); the failure says why, and that no retry follows.
    expect(events[0]).not.toHaveProperty('attempt');
    expect(events[1]).toMatchObject({
      attempt: 1,
      error: { name: 'InvalidArgs', code: 'invalid_args' },
    });
    expect(events[1]).not.toHaveProperty('retry_in_ms');
  });

  it('goes on to another call, which is journaled as a try of the node', async () => {
    const tries: Try[] = [];
    const { tool: b } = scripted('b', ['ok'], tries);
    const { result, events } = await run({ fallback: [{ call: 'b', args: {} }] }, tries, [b]);
    expect(result).toMatchObject({ status: 'succeeded', output: { from: 'b', attempt: 1 } });
    expect(tries).toEqual([{ tool: 'b', key: 'IA/g/fallback/0', attempt: 1 }]);
    expect(result.stats.toolCalls).toBe(2);
    expect(events.map((e) => `${e.type}${'tool' in e ? `:${e.tool}` : ''}`)).toEqual([
      'node.started',
      'node.attempt_failed',
      'node.attempt:b',
      'node.succeeded',
    ]);
  });

  it('an alternative whose own arguments are invalid too gives way to the next', async () => {
    const tries: Try[] = [];
    const { result } = await run(
      {
        fallback: [
          { call: 'greet', args: { name: '${user.id + 1}' } },
          { call: 'greet', args: { name: '${user.name}' } },
        ],
      },
      tries,
    );
    expect(result).toMatchObject({ status: 'succeeded', output: { hello: 'Ada' } });
    expect(tries).toEqual([{ tool: 'greet', key: 'IA/g/fallback/1', attempt: 1 }]);
  });

  it('with no fallback, fails at once with InvalidArgs, as before', async () => {
    const tries: Try[] = [];
    const { result, events } = await run({}, tries);
    expect(result).toMatchObject({
      status: 'failed',
      error: { name: 'InvalidArgs', node: 'g', details: { tool: 'greet' } },
    });
    expect(tries).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['node.started', 'node.failed']);
  });

  it('when every alternative fails, the last error goes on', async () => {
    const tries: Try[] = [];
    const { tool: b } = scripted('b', ['Second'], tries);
    const { result } = await run({ fallback: [{ call: 'b', args: {} }] }, tries, [b]);
    expect(result).toMatchObject({ status: 'failed', error: { name: 'Second', node: 'g' } });
    expect(tries.map((t) => t.key)).toEqual(['IA/g/fallback/0']);
  });

  it('after its own approval, an approval-gated call with invalid arguments falls back too', async () => {
    const tries: Try[] = [];
    const asked: string[] = [];
    const events: RunEvent[] = [];
    const result = await executePlan(
      {
        version: 1,
        nodes: [
          { id: 'user', call: 'get_user' },
          {
            id: 'g',
            call: 'greet',
            approval: true,
            args: { name: '${user.id}' },
            fallback: [{ value: 'nobody' }],
          },
        ],
        output: '${g}',
      },
      {
        tools: greetWorld(tries),
        onEvent: (e) => events.push(e),
        approve: (req) => {
          asked.push(req.key);
          return true;
        },
      },
    );
    expect(result).toMatchObject({ status: 'succeeded', output: 'nobody' });
    expect(asked).toEqual(['g']);
    expect(tries).toEqual([]);
    expect(events.filter((e) => 'key' in e && e.key === 'g').map((e) => e.type)).toEqual([
      'node.started',
      'node.waiting',
      'approval.decided',
      'node.attempt_failed',
      'node.succeeded',
    ]);
    expect(foldEvents(events).nodes.get('g')!.status).toBe('succeeded');
  });
});
