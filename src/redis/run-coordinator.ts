import type { Redis } from 'ioredis';
import type { RunEvent } from '../exec/events.ts';
import { executePlan, newRunId, resumeRun } from '../exec/execute-plan.ts';
import { LeaseLostError, RunLeasedError } from '../exec/journal-errors.ts';
import { type LeaseHolder, type RunLease, thisProcess } from '../exec/journal-lease.ts';
import type { JournalStore } from '../exec/journal-store.ts';
import { leasedStore } from '../exec/leased-store.ts';
import type { ApprovalRequest } from '../exec/run-context.ts';
import type { RunResult } from '../exec/run-result.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import { RedisApprovals } from './redis-approvals.ts';
import { closeRedis, connectRedis } from './redis-connection.ts';
import { RedisJournalStore } from './redis-journal-store.ts';
import { RemoteCalls } from './remote-calls.ts';

export interface RunCoordinatorOptions {
  url: string;
  /** The tools as loaded locally: for their schemas and options only; calls go to workers. */
  tools: ToolRegistry;
  prefix?: string;
  /** What this process is called in the leases it holds (with its pid and host). */
  owner?: string;
  /** How long a lease lasts without renewal: how soon a dead owner's runs are taken over. */
  leaseMs?: number;
  /** How often `watch` looks for runs nobody owns. */
  pollMs?: number;
  onEvent?: (event: RunEvent) => void;
  onWaiting?: (req: ApprovalRequest) => void;
  /** Told when this process takes a run over from a dead owner, and when it ends it. */
  onTakeover?: (runId: string) => void;
  onRunEnd?: (runId: string, result: RunResult) => void;
}

/**
 * A caller's say in a run: `signal` cancels it; `stopSignal` ends its compensations, which
 * `signal` does not once they run (`onCompensating` is told when they start).
 */
export interface CallerStops {
  signal?: AbortSignal;
  stopSignal?: AbortSignal;
  onCompensating?: (steps: number) => void;
}

/**
 * Runs shared by several coordinator processes through Redis: a run's journal is in Redis,
 * its tool calls on BullMQ workers, and it belongs to whoever holds its lease. `start`,
 * `resume` and the takeover loop (`watch`) all run a run the same way: under its lease,
 * renewed while the run goes on, with every append fenced by the lease's token.
 */
export class RunCoordinator {
  readonly store: RedisJournalStore;
  readonly remote: RemoteCalls;
  readonly approvals: RedisApprovals;
  readonly holder: LeaseHolder;
  readonly #redis: Redis;
  readonly #options: RunCoordinatorOptions;
  readonly #registry: ToolRegistry;
  readonly #leaseMs: number;
  readonly #running = new Map<string, Promise<RunResult | undefined>>();
  /** Stops each owned run without journaling anything, for another owner to go on with. */
  readonly #handovers = new Map<string, () => void>();
  #watching: NodeJS.Timeout | undefined;
  #stopped = new AbortController();

  constructor(options: RunCoordinatorOptions) {
    this.#options = options;
    this.#redis = connectRedis(options.url, 'toolplan-journal');
    this.store = new RedisJournalStore(this.#redis, { prefix: options.prefix });
    this.remote = new RemoteCalls(options.url, { prefix: options.prefix });
    this.approvals = new RedisApprovals(this.#redis, options.url, this.store.keys);
    this.#registry = this.remote.registry(options.tools);
    this.holder = thisProcess(options.owner ?? 'toolplan coordinator');
    this.#leaseMs = options.leaseMs ?? 10_000;
  }

  /** Runs a new plan under its lease. */
  async start(plan: unknown, options: { input?: unknown; runId?: string } & CallerStops = {}) {
    const runId = options.runId ?? newRunId();
    const result = await this.#owned(runId, options, (store, signal, stop) =>
      executePlan(plan, {
        ...this.#common(store, signal),
        ...stop,
        input: options.input,
        runId,
      }),
    );
    return result ?? this.#ownedElsewhere(runId);
  }

  /**
   * Continues a run: decisions are recorded for any process first; then, if nobody owns the
   * run, this one takes it and resumes it. Undefined when another live owner has it (that
   * owner picks the decisions up).
   */
  async resume(
    runId: string,
    options: { approve?: readonly string[]; deny?: readonly string[] } & CallerStops = {},
  ): Promise<RunResult | undefined> {
    for (const n of options.approve ?? []) await this.approvals.decide(runId, n, true);
    for (const n of options.deny ?? []) await this.approvals.decide(runId, n, false);
    return this.#owned(runId, options, async (store, signal, stop) => {
      const events = await store.read(runId);
      const suspended = events.findLast((e) => e.type.startsWith('run.'))?.type === 'run.suspended';
      return resumeRun(runId, {
        ...this.#common(store, signal),
        ...stop,
        store,
        approveNodes: suspended ? options.approve : [],
        denyNodes: suspended ? options.deny : [],
      });
    });
  }

  /** Takes over, every `pollMs`, the active runs whose owner's lease expired. */
  watch(): void {
    const tick = async () => {
      if (this.#stopped.signal.aborted) return;
      try {
        for (const runId of await this.store.activeRuns()) {
          if (this.#running.has(runId) || (await this.store.currentLease(runId))) continue;
          const run = this.#owned(runId, {}, (store, signal) =>
            resumeRun(runId, { ...this.#common(store, signal), store }),
          );
          this.#running.set(runId, run);
          this.#options.onTakeover?.(runId);
          void run.then((r) => {
            this.#running.delete(runId);
            if (!r) return;
            void this.#deactivateIfFinished(runId);
            this.#options.onRunEnd?.(runId, r);
          });
        }
      } catch {
        // Redis unreachable: try again next tick.
      }
      if (!this.#stopped.signal.aborted)
        this.#watching = setTimeout(tick, this.#options.pollMs ?? 1000);
    };
    void tick();
  }

  /** A run found finished leaves the active set (its last index update may have been lost). */
  async #deactivateIfFinished(runId: string): Promise<void> {
    try {
      const events = await this.store.read(runId);
      if (events.at(-1)?.type === 'run.finished') await this.store.deactivate(runId);
    } catch {
      // Next time.
    }
  }

  #common(store: JournalStore, signal: AbortSignal) {
    return {
      tools: this.#registry,
      store,
      signal,
      onEvent: this.#options.onEvent,
      approve: this.approvals.approver(this.#options.onWaiting),
    };
  }

  /**
   * Runs `body` holding the run's lease: a journal bound to the lease (every append fenced
   * by its token), renewed every third of its life; if it is lost, the run is stopped and
   * its in-flight calls are left to their jobs for the new owner, compensations included.
   * Undefined when another owner holds the lease.
   */
  async #owned(
    runId: string,
    caller: CallerStops,
    body: (
      store: JournalStore,
      signal: AbortSignal,
      stop: Pick<CallerStops, 'stopSignal' | 'onCompensating'>,
    ) => Promise<RunResult>,
  ): Promise<RunResult | undefined> {
    const callerSignal = caller.signal;
    let lease: RunLease;
    try {
      lease = await this.store.acquireLease(runId, this.holder, { ttlMs: this.#leaseMs });
    } catch (error) {
      if (error instanceof RunLeasedError) return undefined;
      throw error;
    }
    const controller = new AbortController();
    const stopper = new AbortController();
    const stopSignal = caller.stopSignal
      ? AbortSignal.any([caller.stopSignal, stopper.signal])
      : stopper.signal;
    const onCaller = () => controller.abort(callerSignal?.reason);
    if (callerSignal?.aborted) onCaller();
    callerSignal?.addEventListener('abort', onCaller, { once: true });
    let fenced = false;
    const lose = (why: string) => {
      if (fenced) return;
      fenced = true;
      this.remote.detach(runId);
      const lost = new LeaseLostError(runId, lease.token, why);
      controller.abort(lost);
      stopper.abort(lost);
    };
    this.#handovers.set(runId, () => lose('handed over'));
    const renew = setInterval(
      async () => {
        try {
          lease = await this.store.renewLease(lease, { ttlMs: this.#leaseMs });
        } catch (error) {
          // Redis restarting is not a lost lease: the renewal and the append script take it
          // back when Redis is up, unless another owner took a newer token meanwhile.
          if (error instanceof LeaseLostError) lose('taken over');
        }
      },
      Math.max(100, Math.floor(this.#leaseMs / 3)),
    );
    const bound = leasedStore(this.store, lease);
    const fencedStore: JournalStore = {
      ...bound,
      append: async (id, events, options) => {
        if (fenced) throw new LeaseLostError(runId, lease.token, 'this process let the run go');
        return bound.append(id, events, options);
      },
    };
    try {
      return await body(fencedStore, controller.signal, {
        stopSignal,
        ...(caller.onCompensating ? { onCompensating: caller.onCompensating } : {}),
      });
    } finally {
      clearInterval(renew);
      this.#handovers.delete(runId);
      callerSignal?.removeEventListener('abort', onCaller);
      // Released even after a handover: the next owner need not wait for it to expire.
      await this.store.releaseLease(lease).catch(() => {});
    }
  }

  #ownedElsewhere(runId: string): RunResult {
    return {
      status: 'failed',
      runId,
      error: {
        name: 'ConfigError',
        code: 'run_owned',
        message: `run ${runId} is owned by another coordinator; resume it when that one is done`,
      },
      stats: { nodes: {}, toolCalls: 0, durationMs: 0, events: 0 },
    };
  }

  /**
   * Stops watching; with `handover`, stops the runs this process owns without a word in
   * their journals and frees their leases, so another coordinator goes on with them (their
   * calls keep running on the workers). Then waits for them and disconnects.
   */
  async close(handover = true): Promise<void> {
    this.#stopped.abort(new Error('coordinator stopping'));
    if (this.#watching) clearTimeout(this.#watching);
    if (handover) for (const h of [...this.#handovers.values()]) h();
    await Promise.allSettled([...this.#running.values()]);
    await this.remote.close();
    await this.approvals.close();
    await closeRedis(this.#redis);
  }
}
