import type { RunEvent, WaitingInfo } from '../exec/events.ts';
import type { SummaryT } from './schemas.ts';

/**
 * A run's list entry, folded from its journal events one at a time (the server keeps one per
 * run in memory and updates it as events arrive, so listing never reads a journal). Pure.
 */
export function emptyRunSummary(id: string): SummaryT {
  return { id, kind: 'run', status: 'running', waiting: [] };
}

export function applyRunEvent(summary: SummaryT, event: RunEvent): SummaryT {
  switch (event.type) {
    case 'run.started': {
      const goal = (event.plan as { goal?: unknown } | undefined)?.goal;
      return {
        ...summary,
        status: 'running',
        startedAt: event.at,
        ...(typeof goal === 'string' ? { title: goal.slice(0, 200) } : {}),
      };
    }
    case 'run.resumed':
      return { ...summary, status: 'running', waiting: [] };
    case 'node.waiting':
      return { ...summary, waiting: [...summary.waiting, waitingOf(event)] };
    case 'approval.decided':
      return {
        ...summary,
        waiting: summary.waiting.filter((w) => w.key !== event.key && w.key !== event.waiter),
      };
    case 'run.suspended':
      return { ...summary, status: 'suspended', waiting: event.waiting.map(waitingOf) };
    case 'run.finished':
      return { ...summary, status: event.status, finishedAt: event.at, waiting: [] };
    default:
      return summary;
  }
}

function waitingOf(w: WaitingInfo): WaitingInfo {
  return { key: w.key, node: w.node, tool: w.tool, args: w.args };
}

export function runSummaryOf(id: string, events: readonly RunEvent[]): SummaryT {
  let s = emptyRunSummary(id);
  for (const e of events) s = applyRunEvent(s, e);
  // A run whose last word is neither a suspension nor an end was stopped from outside.
  if (s.status === 'running' && events.length > 0) s = { ...s, status: 'interrupted' };
  return s;
}

/** Whether a decision names one of the waiting calls (by node id or instance key). */
export function matchesWaiting(waiting: readonly WaitingInfo[], node: string): boolean {
  return waiting.some((w) => w.key === node || w.node === node);
}
