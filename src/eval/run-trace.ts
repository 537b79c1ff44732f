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
  const f = newFold(t0, plan);
  for (const e of events) {
    f.lastAt = Math.max(f.lastAt, e.at);
    foldEvent(f, e);
  }
  // Nodes still running or waiting when the run stopped end where the run ended.
  for (const span of f.spans.values()) {
    if (span.status === 'running' || span.status === 'waiting') span.end = f.lastAt - t0;
  }
  const list = [...f.spans.values()].sort(
    (a, b) => a.start - b.start || a.key.localeCompare(b.key),
  );
  const durations = new Map(list.filter((s) => s.topLevel).map((s) => [s.key, s.end - s.start]));
  return {
    index,
    plan,
    startedAt: t0,
    makespanMs: f.lastAt - t0,
    status: f.status,
    spans: list,
    critical:
      plan === undefined ? { ms: 0, path: [] } : criticalPath(plan, (id) => durations.get(id)),
    compensations: f.compensations,
    ...(f.error ? { error: f.error } : {}),
  };
}

/** What folding one run's events builds up. */
interface TraceFold {
  t0: number;
  topIds: Set<string>;
  /** The tool each call node names first: a different tool attempted is a fallback. */
  callOf: Map<string, unknown>;
  spans: Map<string, NodeSpan>;
  compensations: PlanTrace['compensations'];
  compStarts: Map<string, { at: number; tool: string }>;
  lastAt: number;
  status: string;
  error: ErrorInfo | undefined;
}

function newFold(t0: number, plan: unknown): TraceFold {
  const graph = plan === undefined ? undefined : buildPlanGraph(plan as { nodes?: unknown });
  return {
    t0,
    topIds: new Set(graph ? graph.root.nodes.map((n) => n.id) : []),
    callOf: new Map(
      (graph?.all ?? []).map((n) => [n.id, (n.node as { call?: unknown }).call] as const),
    ),
    spans: new Map(),
    compensations: [],
    compStarts: new Map(),
    lastAt: t0,
    status: 'running',
    error: undefined,
  };
}

/** The span of a node instance, made on its first event. */
function spanOf(
  f: TraceFold,
  key: string,
  node = key.split('/')[0] ?? key,
  kind = '?',
  at = f.lastAt,
): NodeSpan {
  let span = f.spans.get(key);
  if (!span) {
    span = {
      key,
      node,
      kind,
      start: at - f.t0,
      end: at - f.t0,
      status: 'running',
      attempts: 0,
      failedAttempts: [],
      retries: 0,
      topLevel: f.topIds.has(key),
    };
    f.spans.set(key, span);
  }
  return span;
}

function foldEvent(f: TraceFold, e: RunEvent): void {
  switch (e.type) {
    case 'node.started': {
      const span = spanOf(f, e.key, e.node, e.kind, e.at);
      // A call's first try can ride on its start event.
      if (e.attempt !== undefined) span.attempts = Math.max(span.attempts, e.attempt);
      break;
    }
    case 'node.attempt': {
      const span = spanOf(f, e.key);
      span.attempts = Math.max(span.attempts, e.attempt);
      if (f.callOf.has(span.node) && f.callOf.get(span.node) !== e.tool) span.fallback = e.tool;
      break;
    }
    case 'node.attempt_failed':
      spanOf(f, e.key).failedAttempts.push(e.at - f.t0);
      if (e.retry_in_ms !== undefined) spanOf(f, e.key).retries++;
      break;
    case 'node.waiting':
      spanOf(f, e.key, e.node, 'call', e.at).status = 'waiting';
      break;
    case 'node.succeeded':
    case 'node.failed':
    case 'node.cancelled':
    case 'node.skipped':
      foldNodeEnd(f, e);
      break;
    case 'compensation.started':
    case 'compensation.finished':
      foldCompensation(f, e);
      break;
    case 'run.suspended':
      f.status = 'suspended';
      break;
    case 'run.finished':
      f.status = e.status;
      f.error = e.error;
      break;
    default:
      break;
  }
}

function foldNodeEnd(
  f: TraceFold,
  e: Extract<
    RunEvent,
    { type: 'node.succeeded' | 'node.failed' | 'node.cancelled' | 'node.skipped' }
  >,
): void {
  if (e.type === 'node.skipped') {
    const span = spanOf(f, e.key, e.node, 'skipped', e.at);
    span.status = 'skipped';
    span.end = e.at - f.t0;
    return;
  }
  const span = spanOf(f, e.key);
  span.end = e.at - f.t0;
  span.status =
    e.type === 'node.succeeded' ? 'succeeded' : e.type === 'node.failed' ? 'failed' : 'cancelled';
  if (e.type === 'node.failed') span.error = `${e.error.name}: ${e.error.message}`;
  if (e.type === 'node.succeeded') span.output = e.output;
}

function foldCompensation(
  f: TraceFold,
  e: Extract<RunEvent, { type: 'compensation.started' | 'compensation.finished' }>,
): void {
  if (e.type === 'compensation.started') {
    f.compStarts.set(e.key, { at: e.at - f.t0, tool: e.tool });
    return;
  }
  const began = f.compStarts.get(e.key);
  f.compensations.push({
    key: e.key,
    ok: e.ok,
    at: e.at - f.t0,
    start: began?.at ?? e.at - f.t0,
    ...(began ? { tool: began.tool } : {}),
  });
  if (f.spans.has(e.key) && e.ok) spanOf(f, e.key).status = 'compensated';
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
