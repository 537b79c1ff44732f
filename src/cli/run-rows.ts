import type { RunEvent } from '../exec/events.ts';
import { checkJournalFormat } from '../exec/journal-format.ts';
import type { JournalStore } from '../exec/journal-store.ts';
import { describeEvent } from '../exec/progress-reporter.ts';
import { countByStatus, foldEvents } from '../exec/run-state.ts';
import type { CliIo } from './exec.ts';

/** What `toolplan runs` shows of a run, from any journal store (a folder or Redis). */
export interface RunRow {
  id: string;
  /** The journal's status; `interrupted` when it says running but no live process holds it. */
  status: string;
  started: string;
  nodes: Record<string, number>;
  /** For a running run: who holds its lease. */
  holder?: string;
  /** For an interrupted or suspended run: how to continue it. */
  resume?: string;
  /** For a journal that cannot be read: why. */
  problem?: string;
}

/**
 * A row from a run's events and its lease. Pure but for the lease, which is asked only when
 * the journal says running: a killed process leaves `running` behind, and only the lease
 * (held by a live process, or not) tells a run in progress from an interrupted one.
 */
export async function rowOf(store: JournalStore, id: string, resumeHow: string): Promise<RunRow> {
  let events: RunEvent[];
  try {
    events = await store.read(id);
    checkJournalFormat(id, events);
  } catch (error) {
    return { id, status: 'unreadable', started: '', nodes: {}, problem: (error as Error).message };
  }
  const state = foldEvents(events, id);
  const row: RunRow = {
    id,
    status: state.status ?? 'unknown',
    started: state.startedAt ? new Date(state.startedAt).toISOString() : '',
    nodes: countByStatus(state),
  };
  const resume = `toolplan resume ${id} ${resumeHow} --tools ...`;
  if (row.status === 'running') {
    const lease = await store.currentLease(id);
    if (lease)
      row.holder = `pid ${lease.holder.pid} on ${lease.holder.host} (${lease.holder.owner})`;
    else {
      row.status = 'interrupted';
      row.resume = resume;
    }
  } else if (row.status === 'suspended' || row.status === 'cancelled') row.resume = resume;
  return row;
}

export function printRows(
  rows: readonly RunRow[],
  json: boolean,
  where: string,
  io: Pick<CliIo, 'stdout' | 'stderr'>,
): void {
  if (json) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else if (rows.length === 0) io.stderr.write(`no runs in ${where}\n`);
  else io.stdout.write(formatRows(rows));
}

/** The table `toolplan runs` prints: a header, one line a run, its next step beneath it. */
export function formatRows(rows: readonly RunRow[]): string {
  const idWidth = Math.max(3, ...rows.map((r) => r.id.length));
  const statusWidth = Math.max(6, ...rows.map((r) => r.status.length));
  const line = (id: string, status: string, started: string, nodes: string) =>
    `${id.padEnd(idWidth)}  ${status.padEnd(statusWidth)}  ${started.padEnd(24)}  ${nodes}`.trimEnd();
  let out = `${line('RUN', 'STATUS', 'STARTED', 'NODES')}\n`;
  for (const r of rows) {
    const counts = Object.entries(r.nodes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    out += `${line(r.id, r.status, r.started, counts)}\n`;
    const note =
      r.problem ?? (r.holder ? `held by ${r.holder}` : r.resume ? `continue: ${r.resume}` : '');
    if (note) out += `${' '.repeat(idWidth + 2)}${note}\n`;
  }
  return out;
}

export async function printTimeline(
  store: JournalStore,
  runId: string,
  where: string,
  io: Pick<CliIo, 'stdout' | 'stderr'>,
): Promise<number> {
  let events: RunEvent[];
  try {
    events = await store.read(runId);
  } catch (error) {
    io.stderr.write(`toolplan: ${(error as Error).message}\n`);
    return 2;
  }
  if (events.length === 0) {
    io.stderr.write(`toolplan: no run ${runId} in ${where}\n`);
    return 2;
  }
  const t0 = events[0]!.at;
  for (const e of events) {
    const line = describeEvent(e, t0);
    if (line) io.stdout.write(`${line}\n`);
  }
  return 0;
}
