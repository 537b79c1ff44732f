import { ConfigError } from '../errors/runtime-errors.ts';
import type { RunEvent } from '../exec/events.ts';
import { newRunId } from '../exec/execute-plan.ts';
import type { RunLimits } from '../exec/limits.ts';
import { RunCoordinator } from '../redis/run-coordinator.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import type { PlanRuns } from './plan-runs.ts';
import { FINISHED, RedisRunTail } from './redis-run-tail.ts';
import { capLimits } from './run-service.ts';
import { emptyRunSummary, matchesWaiting } from './run-summary.ts';
import type { SummaryT } from './schemas.ts';

export interface RedisRunServiceOptions {
  url: string;
  /** Loaded for validation and the tools' options only: every call goes to the workers. */
  tools: ToolRegistry;
  limits: RunLimits;
  /** How soon a dead server's runs are taken over by another. */
  leaseMs?: number;
  /** How often this server looks for runs nobody owns. */
  pollMs?: number;
  /** How often a followed run's events are polled from Redis (the live console, SSE). */
  tailMs?: number;
  prefix?: string;
  observe?: (event: RunEvent, runId: string) => void;
  onChange?: (summary: SummaryT) => void;
  /** Lines for the server's log (takeovers). */
  log?: (line: string) => void;
}

/**
 * Plan runs shared by every `serve --redis` on the same Redis: a run started here is
 * journaled in Redis and owned by this server through its lease, its calls on the workers;
 * any server reads any run from Redis; each server watches for runs whose owner died and
 * takes them over; a decision given here is recorded in Redis for whoever owns the run.
 */
export class RedisRunService implements PlanRuns {
  readonly coordinator: RunCoordinator;
  readonly hub: RedisRunTail;
  readonly callTools: ToolRegistry;
  readonly #o: RedisRunServiceOptions;
  /** Started here and maybe not in Redis yet: listed as running meanwhile. */
  readonly #starting = new Set<string>();
  #sweep: NodeJS.Timeout | undefined;
  #accepting = true;

  constructor(options: RedisRunServiceOptions) {
    this.#o = options;
    const log = options.log ?? (() => {});
    this.coordinator = new RunCoordinator({
      url: options.url,
      tools: options.tools,
      owner: 'toolplan serve',
      ...(options.prefix ? { prefix: options.prefix } : {}),
      ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
      ...(options.pollMs ? { pollMs: options.pollMs } : {}),
      ...(options.observe ? { onEvent: options.observe } : {}),
      // A run taken over keeps the server's caps, as one started here has them.
      limits: options.limits,
      onTakeover: (id) => log(`toolplan serve: took over run ${id}`),
      onRunEnd: (id, r) => log(`toolplan serve: run ${id} ended ${r.status}`),
    });
    // Tasks' plans call the workers too: a server runs no tool itself.
    this.callTools = this.coordinator.remote.registry(options.tools);
    this.hub = new RedisRunTail(this.coordinator.store, {
      pollMs: options.tailMs ?? 200,
      ...(options.onChange ? { onChange: options.onChange } : {}),
    });
  }

  /** Starts watching for orphaned runs (nothing to resume by hand: the watch takes them). */
  async recover(): Promise<string[]> {
    this.coordinator.watch();
    const sweep = () => {
      void this.hub
        .sweep()
        .catch(() => {})
        .finally(() => {
          if (this.#accepting) this.#sweep = setTimeout(sweep, 1000);
        });
    };
    sweep();
    return [];
  }

  async start(plan: unknown, input: unknown, limits: RunLimits = {}): Promise<string> {
    this.#refuseWhenDraining();
    const id = newRunId();
    this.#starting.add(id);
    this.#o.onChange?.(emptyRunSummary(id));
    const launched = await this.coordinator
      .launch(plan, { input, runId: id, limits: capLimits(this.#o.limits, limits) })
      .catch((error: unknown) => {
        this.#starting.delete(id);
        throw error;
      });
    if (!launched) throw new ConfigError('run_leased', `run ${id} is owned by another server`);
    let ended = false;
    void launched.done
      .catch(() => {})
      .finally(() => {
        ended = true;
        this.#starting.delete(id);
      });
    // Answered once the run is in Redis, so any server asked next knows it.
    for (let waited = 0; !ended && waited < 5000; waited += 20) {
      if ((await this.coordinator.store.read(id).catch(() => [])).length > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return id;
  }

  events(id: string): Promise<RunEvent[]> {
    return this.hub.read(id);
  }

  async get(id: string): Promise<SummaryT | undefined> {
    const s = await this.hub.refresh(id);
    return s ?? (this.#starting.has(id) ? emptyRunSummary(id) : undefined);
  }

  async list(): Promise<SummaryT[]> {
    const all = await this.hub.all();
    const known = new Set(all.map((s) => s.id));
    for (const id of this.#starting) if (!known.has(id)) all.push(emptyRunSummary(id));
    return all;
  }

  async settled(id: string): Promise<void> {
    while (this.coordinator.owns(id) || this.#starting.has(id))
      await new Promise((r) => setTimeout(r, 50));
  }

  isIdle(id: string): boolean {
    return FINISHED.has(this.hub.cached(id)?.status ?? '') && !this.coordinator.owns(id);
  }

  /**
   * Records the decision in Redis: the run's owner (here or on another server) waits for it
   * in its approve callback and goes on. A run nobody owns (suspended, say) is taken and
   * resumed here with it.
   */
  async decide(id: string, node: string, approved: boolean): Promise<void> {
    this.#refuseWhenDraining();
    const summary = await this.get(id);
    if (!summary) throw new ConfigError('run_not_found', `no run ${id}`);
    if (!matchesWaiting(summary.waiting, node)) {
      throw new ConfigError(
        'not_waiting',
        `node "${node}" is not waiting for approval in run ${id}; waiting: ${summary.waiting.map((w) => w.key).join(', ') || '(none)'}`,
      );
    }
    await this.coordinator.approvals.decide(id, node, approved);
    if (summary.status === 'suspended' && !this.coordinator.owns(id)) {
      const decisions = approved ? { approve: [node] } : { deny: [node] };
      // Resolves when the run ends (or at once when another owner has it): not awaited.
      void this.coordinator.resume(id, decisions).catch(() => {});
    }
  }

  /**
   * Cancels a run from any server: at once when this server owns it; a suspended one nobody
   * owns is taken and cancelled here; a running one owned elsewhere (or waiting to be taken
   * over) is cancelled by its owner, which finds the request in Redis.
   */
  async cancel(id: string): Promise<boolean> {
    const summary = await this.get(id);
    if (!summary) throw new ConfigError('run_not_found', `no run ${id}`);
    const reason = 'cancelled through the API';
    if (this.coordinator.cancel(id, new Error(reason))) return true;
    if (summary.status === 'suspended') {
      const r = await this.coordinator.resume(id, { signal: AbortSignal.abort() });
      if (r !== undefined) return true;
    } else if (summary.status !== 'running') return false;
    await this.coordinator.requestCancel(id, reason);
    return true;
  }

  /**
   * Stops accepting; lets the owned runs finish up to `graceMs`; then hands the rest over
   * (leases freed, nothing journaled) for another server, or this one's next start, to take.
   */
  async drain(graceMs: number): Promise<string[]> {
    this.#accepting = false;
    if (this.#sweep) clearTimeout(this.#sweep);
    await this.coordinator.settle(graceMs);
    const cut = this.coordinator.owned();
    await this.coordinator.close(true);
    this.hub.close();
    return cut;
  }

  #refuseWhenDraining(): void {
    if (!this.#accepting) throw new ConfigError('draining', 'the server is shutting down');
  }
}
