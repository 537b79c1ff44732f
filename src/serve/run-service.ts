import { ConfigError } from '../errors/runtime-errors.ts';
import type { RunEvent } from '../exec/events.ts';
import { executePlan, newRunId, resumeRun } from '../exec/execute-plan.ts';
import { RunLeasedError } from '../exec/journal-errors.ts';
import { type LeaseHolder, thisProcess } from '../exec/journal-lease.ts';
import type { JournalStore } from '../exec/journal-store.ts';
import { type HeldLease, holdLease } from '../exec/lease-keeper.ts';
import { effectiveLimits, type RunLimits } from '../exec/limits.ts';
import type { RunResult } from '../exec/run-result.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import type { EventHub } from './event-hub.ts';
import { applyRunEvent, emptyRunSummary, matchesWaiting, runSummaryOf } from './run-summary.ts';
import type { SummaryT } from './schemas.ts';

export interface RunServiceOptions {
  hub: EventHub;
  tools: ToolRegistry;
  /** Server-side caps: a request's limits (and the plan's) can only tighten them. */
  limits: RunLimits;
  /** Told about every event of every run (tracing). */
  observe?: (event: RunEvent, runId: string) => void;
  /** Told when a run's summary changes status or waiting calls (the live list). */
  onChange?: (summary: SummaryT) => void;
  /** Who this server is as a run's lease holder. Default: this process, `toolplan serve`. */
  holder?: LeaseHolder;
  leaseTtlMs?: number;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);

interface Active {
  controller: AbortController;
  /** Undefined when the lease could not be taken: nothing ran. */
  done: Promise<RunResult | undefined>;
  decisions: { node: string; approved: boolean }[];
}

/**
 * Plan runs (no LLM) the server owns: started, resumed for approvals, cancelled, listed,
 * and on start the interrupted ones resumed. The journal is the truth; summaries are a
 * cache of its fold. Every execution holds the run's lease while it lives, so a run another
 * process is resuming (`toolplan resume`, a second server) is left to it.
 */
export class RunService {
  readonly #o: RunServiceOptions;
  readonly #summaries = new Map<string, SummaryT>();
  readonly #active = new Map<string, Active>();
  #accepting = true;

  constructor(options: RunServiceOptions) {
    this.#o = options;
  }

  /** Loads every journaled run's summary; resumes those a stop interrupted. */
  async recover(interrupted: ReadonlySet<string> = new Set()): Promise<string[]> {
    const resumed: string[] = [];
    for (const id of await this.#o.hub.list()) {
      const summary = runSummaryOf(id, await this.#o.hub.read(id));
      this.#summaries.set(id, summary);
      const stopped =
        summary.status === 'interrupted' || (summary.status === 'cancelled' && interrupted.has(id));
      if (!stopped) continue;
      const taken = await this.#launch(id, (common) => resumeRun(id, common)).then(
        () => true,
        (error: unknown) => {
          if (error instanceof RunLeasedError) return false;
          throw error;
        },
      );
      if (taken) resumed.push(id);
    }
    return resumed;
  }

  async start(plan: unknown, input: unknown, limits: RunLimits = {}): Promise<string> {
    this.#refuseWhenDraining();
    const id = newRunId();
    this.#summaries.set(id, emptyRunSummary(id));
    this.#o.onChange?.(emptyRunSummary(id));
    const capped = capLimits(this.#o.limits, limits);
    await this.#launch(id, (common) =>
      executePlan(plan, { ...common, runId: id, input, limits: capped }),
    );
    return id;
  }

  get hub(): EventHub {
    return this.#o.hub;
  }

  events(id: string): Promise<RunEvent[]> {
    return this.#o.hub.read(id);
  }

  get(id: string): SummaryT | undefined {
    return this.#summaries.get(id);
  }

  list(): SummaryT[] {
    return [...this.#summaries.values()];
  }

  isActive(id: string): boolean {
    return this.#active.has(id);
  }

  isIdle(id: string): boolean {
    return !this.isActive(id) && TERMINAL.has(this.get(id)?.status ?? '');
  }

  /** Resolves once the run is neither running nor about to resume. */
  async settled(id: string): Promise<void> {
    while (this.#active.has(id)) await this.#active.get(id)?.done;
  }

  /**
   * Records a decision for a waiting call. A suspended run resumes with it at once; a run
   * still busy here takes it when it suspends. Rejects with RunLeasedError (naming the
   * holder) when another process holds the run.
   */
  async decide(id: string, node: string, approved: boolean): Promise<void> {
    this.#refuseWhenDraining();
    const summary = this.#summaries.get(id);
    if (!summary) throw new ConfigError('run_not_found', `no run ${id}`);
    if (!matchesWaiting(summary.waiting, node)) {
      throw new ConfigError(
        'not_waiting',
        `node "${node}" is not waiting for approval in run ${id}; waiting: ${summary.waiting.map((w) => w.key).join(', ') || '(none)'}`,
      );
    }
    const active = this.#active.get(id);
    if (active) {
      active.decisions.push({ node, approved });
      return;
    }
    await this.#resumeWith(id, [{ node, approved }]);
  }

  async cancel(id: string): Promise<boolean> {
    const summary = this.#summaries.get(id);
    if (!summary) throw new ConfigError('run_not_found', `no run ${id}`);
    const active = this.#active.get(id);
    if (active) {
      active.controller.abort(new Error('cancelled through the API'));
      return true;
    }
    if (summary.status !== 'suspended') return false;
    // A suspended run has nothing in flight: resuming it under an aborted signal journals
    // the cancellation the way the executor always does.
    await this.#launch(id, (common) => resumeRun(id, { ...common, signal: AbortSignal.abort() }));
    return true;
  }

  /**
   * Stops taking work; waits up to `graceMs` for runs in flight, then cancels the rest
   * (their journals say cancelled, and `interrupted()` names them for the next start).
   */
  async drain(graceMs: number): Promise<string[]> {
    this.#accepting = false;
    const all = () => Promise.allSettled([...this.#active.values()].map((a) => a.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    const cut = [...this.#active.keys()];
    for (const id of cut) this.#active.get(id)?.controller.abort(new Error('server stopping'));
    await all();
    return cut;
  }

  #refuseWhenDraining(): void {
    if (!this.#accepting) throw new ConfigError('draining', 'the server is shutting down');
  }

  #resumeWith(id: string, decisions: { node: string; approved: boolean }[]): Promise<void> {
    const approveNodes = decisions.filter((d) => d.approved).map((d) => d.node);
    const denyNodes = decisions.filter((d) => !d.approved).map((d) => d.node);
    return this.#launch(id, (common) => resumeRun(id, { ...common, approveNodes, denyNodes }));
  }

  /**
   * Takes the run's lease, then runs it on the store bound to that lease, released when the
   * run ends. Resolves once the lease is held (the run goes on); rejects with RunLeasedError
   * when another process holds it, and then nothing ran. The run is active from the call on,
   * so a second caller waits for it instead of racing for the lease.
   */
  #launch(
    id: string,
    run: (common: {
      tools: ToolRegistry;
      store: JournalStore;
      signal: AbortSignal;
      onEvent: (e: RunEvent) => void;
      limits: RunLimits;
    }) => Promise<RunResult>,
  ): Promise<void> {
    const controller = new AbortController();
    const active: Active = { controller, decisions: [], done: Promise.resolve(undefined) };
    const leased: Promise<HeldLease> = holdLease(
      this.#o.hub,
      id,
      this.#o.holder ?? thisProcess('toolplan serve'),
      this.#o.leaseTtlMs,
    );
    const onEvent = (e: RunEvent) => {
      const s = this.#summaries.get(id) ?? emptyRunSummary(id);
      const next = applyRunEvent(s, e);
      this.#summaries.set(id, next);
      if (next !== s && (next.status !== s.status || next.waiting !== s.waiting))
        this.#o.onChange?.(next);
      this.#o.observe?.(e, id);
    };
    active.done = leased
      .then(
        async (held) => {
          try {
            return await run({
              tools: this.#o.tools,
              store: held.store,
              signal: AbortSignal.any([controller.signal, held.lost]),
              onEvent,
              limits: this.#o.limits,
            });
          } finally {
            await this.#o.hub.close(id).catch(() => {});
            await held.release().catch(() => {});
          }
        },
        () => undefined,
      )
      .finally(() => {
        if (this.#active.get(id) !== active) return;
        this.#active.delete(id);
        const s = this.#summaries.get(id);
        // Decisions that arrived while the run was busy elsewhere apply now.
        if (active.decisions.length && s?.status === 'suspended' && this.#accepting)
          void this.#resumeWith(id, active.decisions).catch(() => {});
      });
    this.#active.set(id, active);
    return leased.then(() => {});
  }
}

/** The request's limits under the server's: each the tighter of the two. */
export function capLimits(server: RunLimits, asked: RunLimits): RunLimits {
  const merged = effectiveLimits(server, asked);
  return {
    ...(merged.max_concurrency !== undefined ? { max_concurrency: merged.max_concurrency } : {}),
    ...(merged.deadline_ms !== undefined ? { deadline_ms: merged.deadline_ms } : {}),
    ...(merged.max_tool_calls !== undefined ? { max_tool_calls: merged.max_tool_calls } : {}),
  };
}
