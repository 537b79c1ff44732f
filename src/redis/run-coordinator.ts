import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { ToolplanError } from '../errors/toolplan-error.ts';
import type { RunEvent } from '../exec/events.ts';
import { executePlan, newRunId, resumeRun } from '../exec/execute-plan.ts';
import type { JournalStore } from '../exec/journal-store.ts';
import type { ApprovalRequest } from '../exec/run-context.ts';
import type { RunResult } from '../exec/run-result.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import type { Lease } from './lease.ts';
import { RedisApprovals } from './redis-approvals.ts';
import { closeRedis, connectRedis } from './redis-connection.ts';
import { RedisJournalStore } from './redis-journal-store.ts';
import { RemoteCalls } from './remote-calls.ts';

export interface RunCoordinatorOptions {
  url: string;
  /** The tools as loaded locally: for their schemas and options only; calls go to workers. */
  tools: ToolRegistry;
  prefix?: string;
  /** This process's name in leases; default host:pid:random. */
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

/** The lease was lost (expired and taken by another owner): this process stops the run. */
export class LeaseLostError extends ToolplanError {
  constructor(runId: string) {
    super(
      'LeaseLost',
      `run ${runId}: this process lost the run's lease; another coordinator owns it now`,
      {
        code: 'lease_lost',
        blame: 'internal',
        retryable: false,
        details: { runId },
      },
    );
  }
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
  readonly owner: string;
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
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.#leaseMs = options.leaseMs ?? 10_000;
  }

  /** Runs a new plan under its lease. */
  async start(plan: unknown, options: { input?: unknown; runId?: string; signal?: AbortSignal }) {
    const runId = options.runId ?? newRunId();
    const result = await this.#owned(runId, options.signal, (store, signal) =>
      executePlan(plan, { ...this.#common(store, signal), input: options.input, runId }),
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
    options: { approve?: readonly string[]; deny?: readonly string[]; signal?: AbortSignal } = {},
  ): Promise<RunResult | undefined> {
    for (const n of options.approve ?? []) await this.approvals.decide(runId, n, true);
    for (const n of options.deny ?? []) await this.approvals.decide(runId, n, false);
    return this.#owned(runId, options.signal, async (store, signal) => {
      const events = await store.read(runId);
      const suspended = events.findLast((e) => e.type.startsWith('run.'))?.type === 'run.suspended';
      return resumeRun(runId, {
        ...this.#common(store, signal),
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
          if (this.#running.has(runId) || (await this.store.leaseHolder(runId))) continue;
          const run = this.#owned(runId, undefined, (store, signal) =>
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
   * its in-flight calls are left to their jobs for the new owner. Undefined when another
   * owner holds the lease.
   */
  async #owned(
    runId: string,
    callerSignal: AbortSignal | undefined,
    body: (store: JournalStore, signal: AbortSignal) => Promise<RunResult>,
  ): Promise<RunResult | undefined> {
    let lease = await this.store.acquireLease(runId, this.owner, this.#leaseMs);
    if (!lease) return undefined;
    const controller = new AbortController();
    const onCaller = () => controller.abort(callerSignal?.reason);
    if (callerSignal?.aborted) onCaller();
    callerSignal?.addEventListener('abort', onCaller, { once: true });
    let fenced = false;
    const lose = () => {
      fenced = true;
      this.remote.detach(runId);
      controller.abort(new LeaseLostError(runId));
    };
    this.#handovers.set(runId, lose);
    const renew = setInterval(
      async () => {
        try {
          const renewed = await this.store.renewLease(lease!, this.#leaseMs);
          if (renewed) lease = renewed;
          else lose();
        } catch {
          // Redis is restarting: the append script and the next renewal take the lease back
          // if nobody took it meanwhile.
        }
      },
      Math.max(100, Math.floor(this.#leaseMs / 3)),
    );
    const bound = leasedJournal(this.store, () => {
      if (fenced) throw new LeaseLostError(runId);
      return lease!;
    });
    try {
      return await body(bound, controller.signal);
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

/** The store as one run's executor sees it: every append carries the current lease. */
function leasedJournal(store: RedisJournalStore, lease: () => Lease): JournalStore {
  return {
    append: async (runId, events) => store.append(runId, events, lease()),
    read: (runId) => store.read(runId),
    list: () => store.list(),
  };
}
