import { graphSvg, timelineSvg } from '../eval/report-svg.ts';
import { tracesFromEvents } from '../eval/run-trace.ts';
import type { ErrorInfo, RunEvent } from '../exec/events.ts';
import { buildPlanGraph } from '../plan/plan-graph.ts';

/**
 * What the console draws for a run or a task: each plan's graph and timeline, rendered by
 * the report's own renderer (the console asks for this again as events arrive; it has no
 * renderer of its own), and per node what a click shows. Pure.
 */
export interface NodeDetail {
  key: string;
  node: string;
  kind?: string;
  tool?: string;
  status: string;
  attempts: number;
  /** The plan's arguments (templates), or the evaluated ones of a waiting call. */
  args?: unknown;
  output?: unknown;
  error?: ErrorInfo;
  startMs?: number;
  endMs?: number;
}

export interface PlanView {
  index: number;
  status: string;
  makespanMs: number;
  critical: string[];
  graph: string;
  timeline: string;
  nodes: NodeDetail[];
}

export function viewOfEvents(events: readonly RunEvent[]): PlanView[] {
  const traces = tracesFromEvents(events);
  const byRun = splitRuns(events);
  return traces.map((t, i) => {
    const plan = t.plan as { nodes?: unknown } | undefined;
    const planNodes = new Map(
      plan ? buildPlanGraph(plan).all.map((n) => [n.id, n.node as Record<string, unknown>]) : [],
    );
    const details = new Map<string, NodeDetail>();
    for (const s of t.spans) {
      const raw = planNodes.get(s.node);
      details.set(s.key, {
        key: s.key,
        node: s.node,
        kind: s.kind,
        status: s.status,
        attempts: s.attempts,
        startMs: s.start,
        endMs: s.end,
        ...(typeof raw?.call === 'string' ? { tool: raw.call } : {}),
        ...(raw && 'args' in raw ? { args: raw.args } : {}),
      });
    }
    for (const e of byRun[i] ?? []) {
      const d = 'key' in e ? details.get(e.key) : undefined;
      if (!d) continue;
      if (e.type === 'node.succeeded') d.output = e.output;
      else if (e.type === 'node.failed') d.error = e.error;
      else if (e.type === 'node.waiting') {
        d.args = e.args;
        d.tool = e.tool;
      }
    }
    return {
      index: t.index,
      status: t.status,
      makespanMs: t.makespanMs,
      critical: t.critical.path,
      graph: graphSvg(t),
      timeline: timelineSvg(t),
      nodes: [...details.values()],
    };
  });
}

function splitRuns(events: readonly RunEvent[]): RunEvent[][] {
  const runs: RunEvent[][] = [];
  for (const e of events) {
    if (e.type === 'run.started' || runs.length === 0) runs.push([]);
    runs[runs.length - 1]?.push(e);
  }
  return runs.filter((r) => r[0]?.type === 'run.started');
}
