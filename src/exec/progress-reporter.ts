import type { RunEvent } from './events.ts';

export type ProgressMode = 'json' | 'live' | 'plain';

function short(value: unknown, max = 80): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'null';
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/**
 * What the timeline remembers between events of one run, to say which fallback alternative
 * ran: an alternative's tries are `node.attempt` events naming a tool other than the one
 * the node tried last, and a `value` alternative leaves no event between the last failed
 * try and the node's success.
 */
export class TimelineMemory {
  readonly #tool = new Map<string, string>();
  readonly #fallback = new Map<string, { n: number; tool?: string }>();
  /** Keys whose last event was a failed try with no retry to follow. */
  readonly #spent = new Set<string>();
  readonly #compensating = new Set<string>();

  /** Notes the event; returns the fallback alternative a try starts, if it starts one. */
  note(e: RunEvent): { n: number; tool: string } | undefined {
    switch (e.type) {
      case 'node.started':
        if (e.tool) this.#tool.set(e.key, e.tool);
        return undefined;
      case 'compensation.started':
        this.#compensating.add(e.key);
        return undefined;
      case 'compensation.finished':
        this.#compensating.delete(e.key);
        return undefined;
      case 'node.attempt_failed':
        if (e.retry_in_ms === undefined) this.#spent.add(e.key);
        return undefined;
      case 'node.attempt': {
        this.#spent.delete(e.key);
        const before = this.#tool.get(e.key);
        this.#tool.set(e.key, e.tool);
        if (this.#compensating.has(e.key) || before === undefined || before === e.tool)
          return undefined;
        const n = (this.#fallback.get(e.key)?.n ?? 0) + 1;
        this.#fallback.set(e.key, { n, tool: e.tool });
        return { n, tool: e.tool };
      }
      default:
        return undefined;
    }
  }

  /** How a node that just succeeded got its output, when not from its own tool. */
  succeededBy(key: string): string | undefined {
    const alt = this.#fallback.get(key);
    const valueAlt = this.#spent.delete(key);
    if (valueAlt) return 'by a fallback value';
    return alt ? `by fallback ${alt.n} (${alt.tool})` : undefined;
  }
}

function retryText(e: Extract<RunEvent, { type: 'node.attempt_failed' }>): string {
  if (e.retry_in_ms === undefined) return '';
  const jitter =
    e.retry_jitter_max_ms === undefined
      ? ''
      : ` (full jitter: drawn from 0-${e.retry_jitter_max_ms} ms)`;
  return `; retry in ${e.retry_in_ms} ms${jitter}`;
}

/**
 * One line of a run's timeline, or undefined for events not worth a line. Pass the same
 * `memory` for every event of a run to have fallbacks named.
 */
export function describeEvent(
  e: RunEvent,
  t0: number,
  memory: TimelineMemory = new TimelineMemory(),
): string | undefined {
  const at = `+${((e.at - t0) / 1000).toFixed(3)}s`;
  const alt = memory.note(e);
  switch (e.type) {
    case 'run.started':
      return `${at} run ${e.runId} started`;
    case 'run.resumed':
      return `${at} run resumed`;
    case 'run.suspended':
      return `${at} run suspended, waiting for approval: ${e.waiting.map((w) => `${w.key} (${w.tool})`).join(', ')}`;
    case 'run.finished':
      return `${at} run ${e.status}${e.error ? `: ${e.error.name}: ${e.error.message}` : ''}`;
    case 'node.started':
      return `${at} ${e.key} started (${e.kind})`;
    case 'node.attempt':
      if (alt) return `${at} ${e.key} fallback ${alt.n}: calling ${e.tool}`;
      return e.attempt > 1 ? `${at} ${e.key} attempt ${e.attempt} (${e.tool})` : undefined;
    case 'node.attempt_failed':
      return `${at} ${e.key} attempt ${e.attempt} failed: ${e.error.name}: ${e.error.message}${retryText(e)}`;
    case 'node.waiting':
      return `${at} ${e.key} waiting for approval${e.approval ? ` (${e.approval})` : ''} to call ${e.tool} ${short(e.args)}`;
    case 'approval.decided':
      return `${at} ${e.key} ${e.approved ? 'approved' : 'denied'} (${e.by})`;
    case 'node.succeeded': {
      const by = memory.succeededBy(e.key);
      return `${at} ${e.key} succeeded${by ? ` ${by}` : ''} ${short(e.output, 60)}`;
    }
    case 'node.failed':
      return `${at} ${e.key} failed: ${e.error.name}: ${e.error.message}`;
    case 'node.skipped':
      return `${at} ${e.key} skipped (${e.reason})`;
    case 'node.cancelled':
      return `${at} ${e.key} cancelled (${e.reason})`;
    case 'compensation.started':
      return `${at} ${e.key} compensating with ${e.tool}`;
    case 'compensation.finished':
      return `${at} ${e.key} ${e.ok ? 'compensated' : `compensation failed: ${e.error?.message}`}`;
    case 'emit':
      return `${at} ${e.key} emitted ${e.topic} ${short(e.data)}`;
  }
}

/** Events the live view prints as lines above its redrawn status line. */
const LIVE_LINES = new Set<RunEvent['type']>([
  'run.started',
  'node.failed',
  'run.finished',
  'run.suspended',
  'node.waiting',
  'compensation.started',
  'compensation.finished',
]);

/**
 * Progress on stderr: NDJSON events (`--json`), a compact live view of node states that
 * redraws one line (a terminal), or plain timeline lines (a pipe or a file). The live line
 * ends as the run does: its last drawing, left on screen, has the run's final counts.
 */
export class ProgressReporter {
  readonly #out: NodeJS.WritableStream;
  readonly #mode: ProgressMode;
  #t0 = 0;
  /** Started and not finished, waiting ones included. */
  readonly #running = new Set<string>();
  /** Waiting for a person's decision: shown as waiting, not as running. */
  readonly #waiting = new Set<string>();
  readonly #counts = { succeeded: 0, failed: 0, skipped: 0 };
  readonly #memory = new TimelineMemory();
  #runId: string | undefined;
  #lastDraw = 0;
  #drawn = false;

  /** `runId`: the run being resumed (a new run's id comes with its `run.started`). */
  constructor(out: NodeJS.WritableStream, mode: ProgressMode, runId?: string) {
    this.#out = out;
    this.#mode = mode;
    this.#runId = runId;
  }

  /** The run's id, once known: for the Ctrl-C message. */
  get runId(): string | undefined {
    return this.#runId;
  }

  onEvent = (e: RunEvent): void => {
    if (this.#t0 === 0) this.#t0 = e.at;
    if (e.type === 'run.started') this.#runId = e.runId;
    if (this.#mode === 'json') {
      this.#out.write(`${JSON.stringify(e)}\n`);
      return;
    }
    if (this.#mode === 'plain') {
      const line = describeEvent(e, this.#t0, this.#memory);
      if (line) this.#out.write(`${line}\n`);
      return;
    }
    this.#track(e);
    const printed = LIVE_LINES.has(e.type);
    const line = describeEvent(e, this.#t0, this.#memory);
    if (printed) {
      this.#clear();
      if (line) this.#out.write(`${line}\n`);
    }
    const now = Date.now();
    // A decision changes what the line says at once (the person is looking at it); the
    // end of the run always draws, so that the last line has the final counts.
    if (printed || e.type === 'approval.decided' || now - this.#lastDraw > 100) this.#draw(now);
    if (e.type === 'run.finished') this.#end();
  };

  #track(e: RunEvent): void {
    switch (e.type) {
      case 'node.started':
        this.#running.add(e.key);
        break;
      case 'node.waiting':
        this.#waiting.add(e.key);
        break;
      case 'approval.decided':
        this.#waiting.delete(e.waiter ?? e.key);
        break;
      case 'node.succeeded':
      case 'node.failed':
      case 'node.cancelled':
        this.#running.delete(e.key);
        this.#waiting.delete(e.key);
        if (e.type === 'node.succeeded') this.#counts.succeeded += 1;
        if (e.type === 'node.failed') this.#counts.failed += 1;
        break;
      case 'node.skipped':
        this.#counts.skipped += 1;
        break;
    }
  }

  #clear(): void {
    if (this.#drawn) this.#out.write('\r\x1b[K');
    this.#drawn = false;
  }

  /** Leaves the drawn line on screen and moves past it. */
  #end(): void {
    if (this.#drawn) this.#out.write('\n');
    this.#drawn = false;
  }

  #draw(now: number): void {
    this.#lastDraw = now;
    const c = this.#counts;
    const active: string[] = [];
    for (const key of this.#running) if (!this.#waiting.has(key)) active.push(key);
    const names = active.slice(-4).join(' ');
    const run = this.#runId ? `run ${this.#runId} | ` : '';
    const line = `${run}running ${active.length} | done ${c.succeeded} | failed ${c.failed} | skipped ${c.skipped} | waiting ${this.#waiting.size}${names ? ` | ${names}` : ''}`;
    this.#out.write(`\r\x1b[K${line.slice(0, 200)}`);
    this.#drawn = true;
  }

  /** After the run returned (finished or suspended): the last counts stay on screen. */
  finish(): void {
    if (this.#mode === 'live') this.#end();
  }
}
