// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans hold CEL `${ }` expressions, not JS templates
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type PlanTrace,
  traceOfCalls,
  traceOfRun,
  tracesFromEvents,
} from '../../src/eval/run-trace.ts';
import { executePlan, type RunEvent } from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';

/** Runs a plan with the real executor and returns its events and result. */
async function run(plan: unknown, tools: Tool[], input: unknown = {}) {
  const events: RunEvent[] = [];
  const result = await executePlan(plan, {
    tools,
    input,
    onEvent: (e) => events.push(e),
    random: () => 0.5,
  });
  return { events, result };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits `ms` then echoes `v`. */
const work: Tool = {
  name: 'work',
  description: 'waits then echoes',
  inputSchema: z.object({ v: z.unknown(), ms: z.number().default(0) }),
  execute: async ({ v, ms }: { v: unknown; ms: number }) => {
    await sleep(ms);
    return v;
  },
};

/** Fails its first `failures` calls, then answers with the attempt number. */
function flaky(failures: number): Tool {
  let calls = 0;
  return {
    name: 'flaky',
    description: 'fails then succeeds',
    inputSchema: z.object({}),
    execute: () => {
      calls++;
      if (calls <= failures) throw new Error(`flaky failure ${calls}`);
      return { attempt: calls };
    },
  };
}

const broken: Tool = {
  name: 'broken',
  description: 'always fails',
  inputSchema: z.object({}),
  execute: () => {
    throw new Error('it is broken');
  },
};

function span(trace: PlanTrace, key: string) {
  const found = trace.spans.find((s) => s.key === key);
  if (!found) throw new Error(`no span ${key}; spans: ${trace.spans.map((s) => s.key).join(', ')}`);
  return found;
}

describe('traceOfRun on real executor events', () => {
  it('counts attempts, failed attempts and retries of a retried call', async () => {
    const { events, result } = await run(
      {
        version: 1,
        nodes: [
          {
            id: 'ping',
            call: 'flaky',
            args: {},
            retry: { attempts: 4, delay_ms: 15, factor: 1, jitter: 'none' },
          },
        ],
        output: '${ping.attempt}',
      },
      [flaky(2)],
    );
    expect(result.status).toBe('succeeded');
    const trace = traceOfRun(events);
    const ping = span(trace, 'ping');
    expect(ping).toMatchObject({
      node: 'ping',
      kind: 'call',
      status: 'succeeded',
      attempts: 3,
      retries: 2,
      topLevel: true,
    });
    expect(ping.failedAttempts).toHaveLength(2);
    // Each failed attempt is placed inside the span, in order, the backoff between them.
    const [first, second] = ping.failedAttempts as [number, number];
    expect(first).toBeGreaterThanOrEqual(ping.start);
    expect(second - first).toBeGreaterThanOrEqual(14);
    expect(ping.end).toBeGreaterThanOrEqual(second);
    expect(trace.status).toBe('succeeded');
    expect(trace.critical.path).toEqual(['ping']);
    expect(trace.critical.ms).toBe(ping.end - ping.start);
  });

  it('counts a last failed attempt that is not retried as failed, not as a retry', async () => {
    const { events } = await run(
      {
        version: 1,
        nodes: [
          {
            id: 'b',
            call: 'broken',
            args: {},
            retry: { attempts: 2, delay_ms: 1, jitter: 'none' },
          },
        ],
      },
      [broken],
    );
    const trace = traceOfRun(events);
    const b = span(trace, 'b');
    expect(b).toMatchObject({ status: 'failed', attempts: 2, retries: 1 });
    expect(b.failedAttempts).toHaveLength(2);
    expect(b.error).toMatch(/^ToolError: .*it is broken/);
    expect(trace.status).toBe('failed');
    expect(trace.error).toMatchObject({ name: 'ToolError' });
  });

  it('draws one nested span per map instance, keyed by item index', async () => {
    const { events, result } = await run(
      {
        version: 1,
        nodes: [
          { id: 'start', value: '${input.items}' },
          {
            id: 'm',
            map: '${start}',
            do: [{ id: 'w', call: 'work', args: { v: '${item}', ms: 5 } }],
          },
        ],
        output: '${m}',
      },
      [work],
      { items: ['a', 'b', 'c'] },
    );
    expect(result).toMatchObject({ status: 'succeeded', output: ['a', 'b', 'c'] });
    const trace = traceOfRun(events);
    const keys = trace.spans.map((s) => s.key).sort();
    expect(keys).toEqual(['m', 'start', 'w/0', 'w/1', 'w/2']);
    for (const key of ['w/0', 'w/1', 'w/2']) {
      expect(span(trace, key)).toMatchObject({ node: 'w', topLevel: false, status: 'succeeded' });
    }
    expect(span(trace, 'm')).toMatchObject({ kind: 'map', topLevel: true });
    // The map node spans its instances.
    const m = span(trace, 'm');
    for (const key of ['w/0', 'w/1', 'w/2']) {
      expect(span(trace, key).start).toBeGreaterThanOrEqual(m.start);
      expect(span(trace, key).end).toBeLessThanOrEqual(m.end);
    }
    // Only top-level nodes are on the critical path; the map weighs its whole body.
    expect(trace.critical.path).toEqual(['start', 'm']);
    expect(trace.critical.ms).toBe(
      span(trace, 'start').end - span(trace, 'start').start + (m.end - m.start),
    );
    // Spans come sorted by start, then key.
    const starts = trace.spans.map((s) => s.start);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
  });

  it('marks a node skipped by its condition, and its dependants, as skipped with no duration', async () => {
    const { events, result } = await run(
      {
        version: 1,
        nodes: [
          { id: 'cond', call: 'work', args: { v: 1 }, if: '${input.go}' },
          { id: 'after_cond', call: 'work', args: { v: '${cond}' } },
          { id: 'free', call: 'work', args: { v: 2, ms: 5 } },
        ],
        output: '${free}',
      },
      [work],
      { go: false },
    );
    expect(result.status).toBe('succeeded');
    const trace = traceOfRun(events);
    for (const key of ['cond', 'after_cond']) {
      const s = span(trace, key);
      expect(s.status).toBe('skipped');
      expect(s.end).toBe(s.start);
      expect(s.attempts).toBe(0);
    }
    expect(span(trace, 'free').status).toBe('succeeded');
    expect(trace.critical.path).toEqual(['free']);
  });

  it('marks a finished node whose compensation ran as compensated', async () => {
    const undone: unknown[] = [];
    const undo: Tool = {
      name: 'undo',
      description: 'compensates',
      inputSchema: z.object({ v: z.unknown() }),
      execute: ({ v }: { v: unknown }) => {
        undone.push(v);
        return null;
      },
    };
    const { events, result } = await run(
      {
        version: 1,
        nodes: [
          {
            id: 'book',
            call: 'work',
            args: { v: 'seat' },
            compensate: { call: 'undo', args: { v: '${book}' } },
          },
          { id: 'pay', call: 'broken', args: {}, after: ['book'], retry: { attempts: 1 } },
        ],
      },
      [work, undo, broken],
    );
    expect(result.status).toBe('failed');
    expect(undone).toEqual(['seat']);
    const trace = traceOfRun(events);
    expect(span(trace, 'book').status).toBe('compensated');
    expect(span(trace, 'pay').status).toBe('failed');
    expect(trace.compensations).toHaveLength(1);
    expect(trace.compensations[0]).toMatchObject({ key: 'book', ok: true });
  });

  it('ends a node waiting for approval where the run stopped, and says the run is suspended', async () => {
    const { events, result } = await run(
      {
        version: 1,
        nodes: [
          { id: 'first', call: 'work', args: { v: 1, ms: 10 } },
          { id: 'send', call: 'work', args: { v: '${first}' }, approval: true },
        ],
      },
      [work],
    );
    expect(result.status).toBe('suspended');
    const trace = traceOfRun(events);
    expect(trace.status).toBe('suspended');
    const send = span(trace, 'send');
    expect(send.status).toBe('waiting');
    expect(send.end).toBe(trace.makespanMs);
    expect(trace.makespanMs).toBe(events.at(-1)!.at - events[0]!.at);
  });

  it('measures makespan from run.started to the last event, and keeps the plan', async () => {
    const plan = { version: 1, nodes: [{ id: 'a', call: 'work', args: { v: 1, ms: 20 } }] };
    const { events } = await run(plan, [work]);
    const trace = traceOfRun(events);
    expect(trace.startedAt).toBe(events[0]!.at);
    expect(trace.makespanMs).toBe(events.at(-1)!.at - events[0]!.at);
    expect(trace.makespanMs).toBeGreaterThanOrEqual(span(trace, 'a').end);
    expect(trace.plan).toMatchObject(plan);
    expect(trace.index).toBe(0);
  });
});

describe('tracesFromEvents', () => {
  it('splits several runs (re-plans) into one trace each, numbered in order', async () => {
    const one = await run({ version: 1, nodes: [{ id: 'a', call: 'work', args: { v: 1 } }] }, [
      work,
    ]);
    const two = await run(
      { version: 1, nodes: [{ id: 'b', call: 'broken', args: {}, retry: { attempts: 1 } }] },
      [broken],
    );
    const traces = tracesFromEvents([...one.events, ...two.events]);
    expect(traces.map((t) => [t.index, t.status, t.spans.map((s) => s.key)])).toEqual([
      [0, 'succeeded', ['a']],
      [1, 'failed', ['b']],
    ]);
  });

  it('drops events that come before any run.started, and gives no trace for none', async () => {
    const { events } = await run(
      { version: 1, nodes: [{ id: 'a', call: 'work', args: { v: 1 } }] },
      [work],
    );
    const stray = events.filter((e) => e.type === 'node.succeeded');
    expect(tracesFromEvents([...stray, ...events])).toHaveLength(1);
    expect(tracesFromEvents(stray)).toEqual([]);
    expect(tracesFromEvents([])).toEqual([]);
  });
});

describe('traceOfRun on hand-written events', () => {
  it('keeps a node that never finished as running until the last event', () => {
    const ev = (at: number, e: Record<string, unknown>) =>
      ({ seq: 0, at, ...e }) as unknown as RunEvent;
    const trace = traceOfRun([
      ev(100, {
        type: 'run.started',
        runId: 'r',
        plan: { version: 1, nodes: [{ id: 'a', call: 't' }] },
        input: {},
        options: { limits: {} },
      }),
      ev(110, { type: 'node.started', key: 'a', node: 'a', kind: 'call' }),
      ev(190, { type: 'emit', key: 'a', topic: 't', data: null }),
    ]);
    expect(trace.status).toBe('running');
    expect(span(trace, 'a')).toMatchObject({ status: 'running', start: 10, end: 90 });
    expect(trace.critical).toEqual({ ms: 80, path: ['a'] });
  });

  it('copes with no run.started: no plan, no critical path, times from the first event', () => {
    const ev = (at: number, e: Record<string, unknown>) =>
      ({ seq: 0, at, ...e }) as unknown as RunEvent;
    const trace = traceOfRun([
      ev(50, { type: 'node.started', key: 'x/1', node: 'x', kind: 'call' }),
      ev(70, { type: 'node.cancelled', key: 'x/1', reason: 'race lost' }),
      ev(75, { type: 'run.finished', status: 'cancelled' }),
    ]);
    expect(trace.plan).toBeUndefined();
    expect(trace.critical).toEqual({ ms: 0, path: [] });
    expect(trace.makespanMs).toBe(25);
    expect(span(trace, 'x/1')).toMatchObject({
      status: 'cancelled',
      start: 0,
      end: 20,
      topLevel: false,
    });
    expect(trace.status).toBe('cancelled');
  });
});

describe('traceOfCalls (react mode)', () => {
  it('is undefined for no calls', () => {
    expect(traceOfCalls([])).toBeUndefined();
  });

  it('draws each call as a node with a safe, numbered id, timed from the first call', () => {
    const trace = traceOfCalls([
      { name: 'weather.get', args: { city: 'Paris' }, start: 1000, end: 1040 },
      { name: 'weather.get', args: { city: 'Oslo' }, start: 1005, end: 1100 },
      { name: 'mcp/tool<x>', args: {}, start: 1120, end: 1130, ok: false },
      { name: 'never-ended', args: {}, start: 1130 },
    ])!;
    expect(trace.spans.map((s) => [s.key, s.start, s.end, s.status])).toEqual([
      ['weather_get_1', 0, 40, 'succeeded'],
      ['weather_get_2', 5, 100, 'succeeded'],
      ['mcp_tool_x__3', 120, 130, 'failed'],
      ['never_ended_4', 130, 130, 'succeeded'],
    ]);
    expect(trace.status).toBe('failed');
    expect(trace.makespanMs).toBe(130);
    // No call depends on another: the critical path is the longest single call.
    expect(trace.critical).toEqual({ ms: 95, path: ['weather_get_2'] });
    expect(trace.plan).toMatchObject({
      nodes: [{ id: 'weather_get_1', call: 'weather.get', args: { city: 'Paris' } }, {}, {}, {}],
    });
  });

  it('succeeds when every call did, and truncates long tool names in ids', () => {
    const trace = traceOfCalls([{ name: 'n'.repeat(80), args: {}, start: 5, end: 6 }])!;
    expect(trace.status).toBe('succeeded');
    expect(trace.spans[0]!.key).toBe(`${'n'.repeat(50)}_1`);
  });
});
