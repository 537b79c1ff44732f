import type { Redis } from 'ioredis';
import type { RunEvent } from '../exec/events.ts';
import { executePlan, newRunId, resumeRun } from '../exec/execute-plan.ts';
import { LeaseLostError, RunLeasedError } from '../exec/journal-errors.ts';
import { type LeaseHolder, type RunLease, thisProcess } from '../exec/journal-lease.ts';
import type { JournalStore } from '../exec/journal-store.ts';
import { leasedStore } from '../exec/leased-store.ts';
import type { RunLimits } from '../exec/limits.ts';
import type { ApprovalRequest } from '../exec/run-context.ts';
import type { RunResult } from '../exec/run-result.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import { RedisApprovals } from './redis-approvals.ts';
import { closeRedis, connectRedis } from './redis-connection.ts';
import { RedisJournalStore } from './redis-journal-store.ts';
import { RemoteCalls } from './remote-calls.ts';
import { CancelRequestWatch, requestCancel } from './run-cancel.ts';

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
  /** Every event this process journals, with its run (after Redis took it or not: a hint). */
  onEvent?: (event: RunEvent, runId: string) => void;
  onWaiting?: (req: ApprovalRequest) => void;
  /** Told when this process takes a run over from a dead owner, and when it ends it. */
  onTakeover?: (runId: string) => void;
  onRunEnd?: (runId: string, result: RunResult) => void;
  /**
   * Caps for every run this process starts, resumes or takes over (a run's own may only
   * tighten them). Raise `max_concurrency` (default 16) to fill more workers' slots.
   */
  limits?: RunLimits;
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

export interface LaunchOptions extends CallerStops {
  input?: unknown;
  runId?: string;
  /** The run's caps (a server's, tightened by the request's); the plan's may tighten them. */
  limits?: RunLimits;
}

type StopOptions = Pick<CallerStops, 'stopSignal' | 'onCompensating'>;
type OwnedBody = (
  store: JournalStore,
  signal: AbortSignal,
  stop: StopOptions,
) => Promise<RunResult>;

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
  /** Cancels each owned run: its calls are cancelled and the cancellation journaled. */
  readonly #cancels = new Map<string, (reason: unknown) => void>();
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
  async start(plan: unknown, options: LaunchOptions): Promise<RunResult> {
    const runId = options.runId ?? newRunId();
    const launched = await this.launch(plan, { ...options, runId });
    return launched ? launched.done : this.#ownedElsewhere(runId);
  }

  /**
   * Starts a new plan under its lease and returns as soon as the lease is held (`done` is the
   * run's end), for a server that answers before the run ends. Undefined when another owner
   * holds the run id's lease.
   */
  async launch(
    plan: unknown,
    options: LaunchOptions,
  ): Promise<{ runId: string; done: Promise<RunResult> } | undefined> {
    const runId = options.runId ?? newRunId();
    const lease = await this.#acquire(runId);
    if (!lease) return undefined;
    const done = this.#track(
      runId,
      this.#run(runId, lease, options, (store, signal, stop) =>
        executePlan(plan, {
          ...this.#common(runId, store, signal),
          ...stop,
          input: options.input,
          runId,
          ...(options.limits ? { limits: options.limits } : {}),
        }),
      ),
    );
    return { runId, done };
  }

  /** Whether this process owns the run now. */
  owns(runId: string): boolean {
    return this.#handovers.has(runId);
  }

  /** Cancels a run this process owns (the cancellation is journaled); false if it owns none. */
  cancel(runId: string, reason: unknown = new Error('cancelled')): boolean {
    const cancel = this.#cancels.get(runId);
    cancel?.(reason);
    return cancel !== undefined;
  }

  /**
   * Cancels a run from any process: recorded in Redis under the run's key, where its owner
   * finds it at its next lease renewal (and a later owner when it takes the run over), then
   * journals the cancellation as a local cancel does. Cancelled here at once if owned here.
   */
  async requestCancel(runId: string, reason = 'cancelled'): Promise<void> {
    if (this.cancel(runId, new Error(reason))) return;
    await requestCancel(this.#redis, this.store.keys, runId, reason);
  }

  /** Resolves when the runs this process owns have ended, or after `ms`. */
  async settle(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#running.values()]),
      new Promise((r) => (timer = setTimeout(r, ms))),
    ]);
    clearTimeout(timer);
  }

  /** The runs this process owns now. */
  owned(): string[] {
    return [...this.#handovers.keys()];
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
        ...this.#common(runId, store, signal),
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
          const lease = await this.#acquire(runId);
          if (!lease) continue;
          // Stopped meanwhile: `close` is not waiting for this one, so let it go at once.
          if (this.#stopped.signal.aborted) {
            await this.store.releaseLease(lease).catch(() => {});
            return;
          }
          const run = this.#track(
            runId,
            this.#run(runId, lease, {}, (store, signal) =>
              resumeRun(runId, { ...this.#common(runId, store, signal), store }),
            ),
          );
          this.#options.onTakeover?.(runId);
          void run.then(
            (r) => {
              void this.#deactivateIfFinished(runId);
              this.#options.onRunEnd?.(runId, r);
            },
            () => {},
          );
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

  #common(runId: string, store: JournalStore, signal: AbortSignal) {
    const { onEvent, limits } = this.#options;
    return {
      tools: this.#registry,
      store,
      signal,
      ...(limits ? { limits } : {}),
      ...(onEvent ? { onEvent: (e: RunEvent) => onEvent(e, runId) } : {}),
      approve: this.approvals.approver(this.#options.onWaiting),
    };
  }

  /**
   * Runs `body` holding the run's lease: a journal bound to the lease (every append fenced
   * by its token), renewed every third of its life; if it is lost, the run is stopped and
   * its in-flight calls are left to their jobs for the new owner. Undefined when another
   * owner holds the lease.
   */
  async #owned(
    runId: string,
    caller: CallerStops,
    body: OwnedBody,
  ): Promise<RunResult | undefined> {
    const lease = await this.#acquire(runId);
    if (!lease) return undefined;
    return this.#track(runId, this.#run(runId, lease, caller, body));
  }

  /** The run's lease, or undefined when another owner holds it. */
  async #acquire(runId: string): Promise<RunLease | undefined> {
    try {
      return await this.store.acquireLease(runId, this.holder, { ttlMs: this.#leaseMs });
    } catch (error) {
      if (error instanceof RunLeasedError) return undefined;
      throw error;
    }
  }

  /** Known to `close`, which waits for it, and to `watch`, which leaves it alone. */
  #track<T>(runId: string, run: Promise<T>): Promise<T> {
    this.#running.set(runId, run as Promise<RunResult | undefined>);
    void run
      .finally(() => {
        if (this.#running.get(runId) === run) this.#running.delete(runId);
      })
      .catch(() => {});
    return run;
  }

  /** Runs `body` under `lease` (see `#owned`). */
  async #run(
    runId: string,
    held: RunLease,
    caller: CallerStops,
    body: OwnedBody,
  ): Promise<RunResult> {
    let lease = held;
    const callerSignal = caller.signal;
    const controller = new AbortController();
    // A lost lease ends compensations too: the new owner finishes them.
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
    this.#cancels.set(runId, (reason) => controller.abort(reason));
    const asked = new CancelRequestWatch(this.#redis, this.store.keys, runId, (why) => {
      if (!fenced && !controller.signal.aborted) controller.abort(why);
    });
    void asked.check().catch(() => {});
    const renew = setInterval(
      async () => {
        try {
          lease = await this.store.renewLease(lease, { ttlMs: this.#leaseMs });
          await asked.check();
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
    let ended: RunResult | undefined;
    try {
      ended = await body(fencedStore, controller.signal, {
        stopSignal,
        ...(caller.onCompensating ? { onCompensating: caller.onCompensating } : {}),
      });
      return ended;
    } finally {
      clearInterval(renew);
      this.#handovers.delete(runId);
      this.#cancels.delete(runId);
      callerSignal?.removeEventListener('abort', onCaller);
      // Its end is journaled: the request is spent (a handed-over run keeps it for the next;
      // one asked while a local cancel ended the run is spent too).
      if (!fenced && (asked.seen || ended?.status === 'cancelled')) await asked.spend();
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
