import type { ErrorInfo, RunEvent } from '../exec/events.ts';
import { buildPlanGraph } from '../plan/plan-graph.ts';
import { type CriticalPath, criticalPath } from './critical-path.ts';

/**
 * What an executed plan looked like in time, folded from the executor's events: one span per
 * node instance (start, end, attempts, final status) and the plan's makespan and critical
 * path. The report draws these; the table prints their totals. Pure.
 */

export interface NodeSpan {
  key: string;
  node: string;
  kind: string;
  /** Milliseconds since the plan's run started. */
  start: number;
  end: number;
  status: 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'waiting' | 'running' | 'compensated';
  attempts: number;
  /** Offsets (ms since the run started) at which a failed attempt ended. */
  failedAttempts: number[];
  /** Failed attempts that were tried again. */
  retries: number;
  /** Whether the node is in the plan's top-level list. */
  topLevel: boolean;
  error?: string;
  /** What the node produced, when it succeeded. */
  output?: unknown;
  /** The tool of the fallback alternative tried last, when the node's own call gave up. */
  fallback?: string;
}

export interface PlanTrace {
  index: number;
  plan: unknown;
  /** Wall-clock ms since the epoch when the run started. */
  startedAt: number;
  makespanMs: number;
  status: string;
  spans: NodeSpan[];
  critical: CriticalPath;
  /** Undo calls of a saga: `start` and `at` (its end) in ms since the run started. */
  compensations: { key: string; ok: boolean; at: number; start: number; tool?: string }[];
  error?: ErrorInfo;
}

/** Splits a stream of events (several runs after re-plans) into one trace per run. */
export function tracesFromEvents(events: readonly RunEvent[]): PlanTrace[] {
  const runs: RunEvent[][] = [];
  for (const e of events) {
    if (e.type === 'run.started' || runs.length === 0) runs.push([]);
    runs[runs.length - 1]!.push(e);
  }
  return runs
    .filter((run) => run[0]?.type === 'run.started')
    .map((run, index) => traceOfRun(run, index));
}

export function traceOfRun(events: readonly RunEvent[], index = 0): PlanTrace {
  const started = events.find((e) => e.type === 'run.started');
  const t0 = started?.at ?? events[0]?.at ?? 0;
  const plan = started?.type === 'run.started' ? started.plan : undefined;
  const graph = plan === undefined ? undefined : buildPlanGraph(plan as { nodes?: unknown });
  const topIds = new Set(graph ? graph.root.nodes.map((n) => n.id) : []);
  const callOf = new Map(
    (graph?.all ?? []).map((n) => [n.id, (n.node as { call?: unknown }).call] as const),
  );
  const spans = new Map<string, NodeSpan>();
  const compensations: PlanTrace['compensations'] = [];
  const compStarts = new Map<string, { at: number; tool: string }>();
  let lastAt = t0;
  let status = 'running';
  let error: ErrorInfo | undefined;
  const spanOf = (key: string, node = key.split('/')[0] ?? key, kind = '?', at = lastAt) => {
    let span = spans.get(key);
    if (!span) {
      span = {
        key,
        node,
        kind,
        start: at - t0,
        end: at - t0,
        status: 'running',
        attempts: 0,
        failedAttempts: [],
        retries: 0,
        topLevel: topIds.has(key),
      };
      spans.set(key, span);
    }
    return span;
  };
  for (const e of events) {
    lastAt = Math.max(lastAt, e.at);
    switch (e.type) {
      case 'node.started': {
        const span = spanOf(e.key, e.node, e.kind, e.at);
        // A call's first try can ride on its start event.
        if (e.attempt !== undefined) span.attempts = Math.max(span.attempts, e.attempt);
        break;
      }
      case 'node.attempt': {
        const span = spanOf(e.key);
        span.attempts = Math.max(span.attempts, e.attempt);
        if (callOf.has(span.node) && callOf.get(span.node) !== e.tool) span.fallback = e.tool;
        break;
      }
      case 'node.attempt_failed':
        spanOf(e.key).failedAttempts.push(e.at - t0);
        if (e.retry_in_ms !== undefined) spanOf(e.key).retries++;
        break;
      case 'node.waiting':
        spanOf(e.key, e.node, 'call', e.at).status = 'waiting';
        break;
      case 'node.succeeded':
      case 'node.failed':
      case 'node.cancelled': {
        const span = spanOf(e.key);
        span.end = e.at - t0;
        span.status =
          e.type === 'node.succeeded'
            ? 'succeeded'
            : e.type === 'node.failed'
              ? 'failed'
              : 'cancelled';
        if (e.type === 'node.failed') span.error = `${e.error.name}: ${e.error.message}`;
        if (e.type === 'node.succeeded') span.output = e.output;
        break;
      }
      case 'node.skipped': {
        const span = spanOf(e.key, e.node, 'skipped', e.at);
        span.status = 'skipped';
        span.end = e.at - t0;
        break;
      }
      case 'compensation.started':
        compStarts.set(e.key, { at: e.at - t0, tool: e.tool });
        break;
      case 'compensation.finished': {
        const began = compStarts.get(e.key);
        compensations.push({
          key: e.key,
          ok: e.ok,
          at: e.at - t0,
          start: began?.at ?? e.at - t0,
          ...(began ? { tool: began.tool } : {}),
        });
        if (spans.has(e.key) && e.ok) spanOf(e.key).status = 'compensated';
        break;
      }
      case 'run.suspended':
        status = 'suspended';
        break;
      case 'run.finished':
        status = e.status;
        error = e.error;
        break;
      default:
        break;
    }
  }
  // Nodes still running or waiting when the run stopped end where the run ended.
  for (const span of spans.values()) {
    if (span.status === 'running' || span.status === 'waiting') span.end = lastAt - t0;
  }
  const list = [...spans.values()].sort((a, b) => a.start - b.start || a.key.localeCompare(b.key));
  const durations = new Map(list.filter((s) => s.topLevel).map((s) => [s.key, s.end - s.start]));
  return {
    index,
    plan,
    startedAt: t0,
    makespanMs: lastAt - t0,
    status,
    spans: list,
    critical:
      plan === undefined ? { ms: 0, path: [] } : criticalPath(plan, (id) => durations.get(id)),
    compensations,
    ...(error ? { error } : {}),
  };
}

/**
 * A react-mode run has no plan: its tool calls are drawn as one, a node per call, timed by
 * the loop's own records (ms since the task started).
 */
export function traceOfCalls(
  calls: readonly {
    name: string;
    args: unknown;
    start: number;
    end?: number | undefined;
    ok?: boolean | undefined;
  }[],
): PlanTrace | undefined {
  if (calls.length === 0) return undefined;
  const t0 = Math.min(...calls.map((c) => c.start));
  const nodes = calls.map((c, i) => ({
    id: `${c.name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 50)}_${i + 1}`,
    call: c.name,
    args: c.args,
  }));
  const spans: NodeSpan[] = calls.map((c, i) => ({
    key: nodes[i]!.id,
    node: nodes[i]!.id,
    kind: 'call',
    start: c.start - t0,
    end: (c.end ?? c.start) - t0,
    status: c.ok === false ? 'failed' : 'succeeded',
    attempts: 1,
    failedAttempts: [],
    retries: 0,
    topLevel: true,
  }));
  const plan = { version: 1, goal: 'react-mode tool calls', nodes };
  const durations = new Map(spans.map((s) => [s.key, s.end - s.start]));
  return {
    index: 0,
    plan,
    startedAt: t0,
    makespanMs: Math.max(...spans.map((s) => s.end)),
    status: calls.some((c) => c.ok === false) ? 'failed' : 'succeeded',
    spans,
    critical: criticalPath(plan, (id) => durations.get(id)),
    compensations: [],
  };
}
