import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/exec/events.ts';
import { filtered } from '../../src/serve/app.ts';
import { openApiDocument } from '../../src/serve/openapi.ts';
import { capLimits } from '../../src/serve/run-service.ts';
import { matchesWaiting, runSummaryOf } from '../../src/serve/run-summary.ts';

const at = (seq: number) => ({ seq, at: 1000 + seq });

describe('run summaries folded from journal events', () => {
  it('follows a run through a suspension, a decision and its end', () => {
    const events: RunEvent[] = [
      {
        ...at(0),
        type: 'run.started',
        runId: 'r',
        plan: { goal: 'g', nodes: [] },
        input: null,
        options: { limits: {} },
      },
      { ...at(1), type: 'node.waiting', key: 'm', node: 'm', tool: 'send', args: { to: 'x' } },
      {
        ...at(2),
        type: 'run.suspended',
        waiting: [{ key: 'm', node: 'm', tool: 'send', args: { to: 'x' } }],
      },
    ];
    const suspended = runSummaryOf('r', events);
    expect(suspended).toMatchObject({ status: 'suspended', title: 'g', startedAt: 1000 });
    expect(matchesWaiting(suspended.waiting, 'm')).toBe(true);
    expect(matchesWaiting(suspended.waiting, 'n')).toBe(false);
    const done = runSummaryOf('r', [
      ...events,
      { ...at(3), type: 'run.resumed' },
      { ...at(4), type: 'approval.decided', key: 'm', approved: true, by: 'api' },
      { ...at(5), type: 'run.finished', status: 'succeeded', output: 1 },
    ]);
    expect(done).toMatchObject({ status: 'succeeded', finishedAt: 1005, waiting: [] });
  });

  it('calls a run that stopped without a last word interrupted', () => {
    const events: RunEvent[] = [
      {
        ...at(0),
        type: 'run.started',
        runId: 'r',
        plan: { nodes: [] },
        input: null,
        options: { limits: {} },
      },
      { ...at(1), type: 'node.started', key: 'a', node: 'a', kind: 'call', attempt: 1, tool: 't' },
    ];
    expect(runSummaryOf('r', events).status).toBe('interrupted');
  });
});

describe('listing, limits and the OpenAPI document', () => {
  it('filters by status and time, newest first, with a limit', () => {
    const rows = [1, 2, 3].map((i) => ({
      id: `r${i}`,
      kind: 'run' as const,
      status: i === 2 ? 'failed' : 'succeeded',
      startedAt: i,
      waiting: [],
    }));
    expect(filtered(rows, {}).map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
    expect(filtered(rows, { status: 'succeeded', limit: 1 }).map((r) => r.id)).toEqual(['r3']);
    expect(filtered(rows, { since: 2 }).map((r) => r.id)).toEqual(['r3', 'r2']);
  });

  it('takes the tighter of the server and request limits', () => {
    expect(
      capLimits(
        { max_concurrency: 4, max_tool_calls: 10 },
        { max_concurrency: 100, deadline_ms: 50 },
      ),
    ).toEqual({
      max_concurrency: 4,
      deadline_ms: 50,
      max_tool_calls: 10,
    });
  });

  it('documents every route with path parameters and bearer security', () => {
    const doc = openApiDocument('1') as {
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
      security: unknown;
    };
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/v1/runs/{id}']?.get?.parameters?.map((p) => p.name)).toEqual(['id']);
    expect(doc.paths['/v1/runs/{id}/events']?.get?.parameters?.map((p) => p.name)).toEqual([
      'id',
      'Last-Event-ID',
    ]);
    expect(doc.paths['/v1/runs']?.get?.parameters?.map((p) => p.name)).toEqual([
      'status',
      'kind',
      'since',
      'limit',
    ]);
  });
});
