import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/exec/events.ts';
import { foldEvents } from '../../src/exec/run-state.ts';
import { canMoveNode, canMoveRun } from '../../src/exec/state-machine.ts';

let seq = 0;
const e = (x: Record<string, unknown>): RunEvent => ({ seq: seq++, at: 0, ...x }) as RunEvent;
const started = e({
  type: 'run.started',
  runId: 'r',
  plan: {},
  input: null,
  options: { limits: {} },
});

describe('run state fold', () => {
  it('folds a run: node states, outputs, tool calls, result', () => {
    const s = foldEvents([
      started,
      e({ type: 'node.started', key: 'a', node: 'a', kind: 'call' }),
      e({ type: 'node.attempt', key: 'a', attempt: 1, tool: 't' }),
      e({ type: 'node.succeeded', key: 'a', output: { x: 1 } }),
      e({ type: 'node.skipped', key: 'b', node: 'b', reason: 'condition' }),
      e({ type: 'run.finished', status: 'succeeded', output: 1 }),
    ]);
    expect(s.status).toBe('succeeded');
    expect(s.nodes.get('a')).toMatchObject({ status: 'succeeded', output: { x: 1 }, attempts: 1 });
    expect(s.nodes.get('b')).toMatchObject({ status: 'skipped', output: null });
    expect(s.toolCalls).toBe(1);
  });

  it('a node.started that carries the first attempt counts it as a tool call', () => {
    const s = foldEvents([
      started,
      e({ type: 'node.started', key: 'a', node: 'a', kind: 'call', attempt: 1, tool: 't' }),
      e({
        type: 'node.attempt_failed',
        key: 'a',
        attempt: 1,
        error: { name: 'ToolError', message: 'x', code: 'e' },
        retry_in_ms: 1,
      }),
      e({ type: 'node.attempt', key: 'a', attempt: 2, tool: 't' }),
      e({ type: 'node.succeeded', key: 'a', output: 2 }),
      e({ type: 'node.started', key: 'v', node: 'v', kind: 'value' }),
    ]);
    expect(s.nodes.get('a')).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(s.nodes.get('v')).toMatchObject({ status: 'running', attempts: 0 });
    expect(s.toolCalls).toBe(2);
  });

  it('resumed: running and waiting nodes go back to pending, compensating back to succeeded', () => {
    const s = foldEvents([
      started,
      e({ type: 'node.started', key: 'a', node: 'a', kind: 'call' }),
      e({ type: 'node.started', key: 'w', node: 'w', kind: 'call' }),
      e({ type: 'node.waiting', key: 'w', node: 'w', tool: 't', args: {} }),
      e({ type: 'run.suspended', waiting: [] }),
      e({ type: 'run.resumed' }),
      e({ type: 'approval.decided', key: 'w', approved: true, by: 'cli' }),
    ]);
    expect(s.status).toBe('running');
    expect(s.nodes.get('a')!.status).toBe('pending');
    expect(s.nodes.get('w')!.status).toBe('pending');
    expect(s.approvals.get('w')).toBe(true);
  });

  it('raises InternalError on illegal transitions', () => {
    expect(() => foldEvents([started, e({ type: 'node.succeeded', key: 'a', output: 1 })])).toThrow(
      /illegal transition pending -> succeeded/,
    );
    expect(() =>
      foldEvents([
        started,
        e({ type: 'node.started', key: 'a', node: 'a', kind: 'value' }),
        e({ type: 'node.succeeded', key: 'a', output: 1 }),
        e({ type: 'node.failed', key: 'a', error: { name: 'x', message: 'y', code: 'z' } }),
      ]),
    ).toThrow(expect.objectContaining({ name: 'InternalError', code: 'illegal_node_transition' }));
    expect(() =>
      foldEvents([
        started,
        e({ type: 'run.finished', status: 'failed' }),
        e({ type: 'run.resumed' }),
      ]),
    ).toThrow(/illegal transition failed -> running/);
    expect(() => foldEvents([e({ type: 'run.resumed' })])).toThrow(/illegal transition/);
  });

  it("a fallback alternative's decision: kept under its key; its node waits, then runs on", () => {
    for (const approved of [true, false]) {
      const events = [
        started,
        e({ type: 'node.started', key: 'x', node: 'x', kind: 'call', attempt: 1, tool: 't' }),
        e({
          type: 'node.waiting',
          key: 'x',
          node: 'x',
          tool: 'g',
          args: {},
          approval: 'x/fallback/0',
        }),
      ];
      expect(foldEvents(events).nodes.get('x')!.status).toBe('waiting');
      const s = foldEvents([
        ...events,
        e({ type: 'approval.decided', key: 'x/fallback/0', approved, by: 'callback', waiter: 'x' }),
      ]);
      // Denied or not, the node goes on (to the next alternative, or to its failure).
      expect(s.nodes.get('x')!.status).toBe('running');
      expect(s.approvals.get('x/fallback/0')).toBe(approved);
      expect(s.approvals.has('x')).toBe(false);
      expect([...s.nodes.keys()]).toEqual(['x']);
    }
  });

  it('a node waits for approval only once started', () => {
    expect(canMoveNode('pending', 'waiting')).toBe(false);
    expect(() =>
      foldEvents([
        started,
        e({ type: 'node.waiting', key: 'x/fallback/0', node: 'x', tool: 'g', args: {} }),
      ]),
    ).toThrow(/illegal transition pending -> waiting/);
  });

  it('state machines: finished states are final', () => {
    for (const to of ['running', 'pending', 'succeeded'] as const)
      expect(canMoveNode('failed', to)).toBe(false);
    expect(canMoveNode('succeeded', 'compensating')).toBe(true);
    expect(canMoveNode('compensated', 'compensating')).toBe(false);
    expect(canMoveRun('succeeded', 'running')).toBe(false);
    expect(canMoveRun('suspended', 'running')).toBe(true);
  });
});
