// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans hold CEL `${ }` expressions, not JS templates
import { describe, expect, it } from 'vitest';
import { criticalPath, makespanRatio } from '../../src/eval/critical-path.ts';
import { traceOfRun } from '../../src/eval/run-trace.ts';
import type { RunEvent } from '../../src/exec/events.ts';

const plan = {
  version: 1,
  nodes: [
    { id: 'a', call: 't', args: {} },
    { id: 'b', call: 't', args: {} },
    { id: 'c', call: 't', args: { x: '${a}' } },
    { id: 'd', value: '${ [b, c] }' },
  ],
};

describe('criticalPath', () => {
  it('is the longest path through the dependency graph, weighted by measured durations', () => {
    const durations: Record<string, number> = { a: 30, b: 50, c: 40, d: 5 };
    expect(criticalPath(plan, (id) => durations[id])).toEqual({ ms: 75, path: ['a', 'c', 'd'] });
    const slowB: Record<string, number> = { a: 30, b: 100, c: 40, d: 5 };
    expect(criticalPath(plan, (id) => slowB[id])).toEqual({ ms: 105, path: ['b', 'd'] });
  });

  it('counts `after` as a dependency and unmeasured (skipped) nodes as zero', () => {
    const p = {
      version: 1,
      nodes: [
        { id: 'x', call: 't' },
        { id: 'y', call: 't', after: ['x'] },
      ],
    };
    expect(criticalPath(p, (id) => (id === 'x' ? 10 : undefined))).toEqual({
      ms: 10,
      path: ['x', 'y'],
    });
  });

  it('gives no ratio when the path took no time', () => {
    expect(makespanRatio(10, 0)).toBeUndefined();
    expect(makespanRatio(150, 100)).toBe(1.5);
  });
});

describe('traceOfRun', () => {
  it('folds executor events into spans with retries and the critical path', () => {
    let seq = 0;
    const ev = (at: number, e: Record<string, unknown>) =>
      ({ seq: seq++, at, ...e }) as unknown as RunEvent;
    const events = [
      ev(1000, { type: 'run.started', runId: 'r', plan, input: {}, options: { limits: {} } }),
      ev(1000, { type: 'node.started', key: 'a', node: 'a', kind: 'call' }),
      ev(1000, { type: 'node.started', key: 'b', node: 'b', kind: 'call' }),
      ev(1010, {
        type: 'node.attempt_failed',
        key: 'a',
        attempt: 1,
        error: { name: 'ToolError', message: 'x', code: 'x' },
      }),
      ev(1030, { type: 'node.succeeded', key: 'a', output: 1 }),
      ev(1030, { type: 'node.started', key: 'c', node: 'c', kind: 'call' }),
      ev(1050, { type: 'node.succeeded', key: 'b', output: 2 }),
      ev(1070, { type: 'node.succeeded', key: 'c', output: 3 }),
      ev(1070, { type: 'node.started', key: 'd', node: 'd', kind: 'value' }),
      ev(1070, { type: 'node.succeeded', key: 'd', output: [2, 3] }),
      ev(1072, { type: 'run.finished', status: 'succeeded', output: [2, 3] }),
    ];
    const trace = traceOfRun(events);
    expect(trace.makespanMs).toBe(72);
    expect(trace.critical).toEqual({ ms: 70, path: ['a', 'c', 'd'] });
    expect(trace.spans.find((s) => s.key === 'a')).toMatchObject({
      start: 0,
      end: 30,
      failedAttempts: [10],
    });
    expect(trace.status).toBe('succeeded');
  });
});
