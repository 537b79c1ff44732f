import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { ToolRegistry } from '../tool/registry.ts';
import type { Tool, ToolContext } from '../tool/tool.ts';
import {
  type CallFailure,
  type CallJob,
  DEFAULT_QUEUE,
  decodeFailure,
  failureError,
  jobIdFor,
} from './job-codec.ts';
import { closeRedis, connectRedis } from './redis-connection.ts';
import { RedisKeys } from './redis-keys.ts';

export interface RemoteCallsOptions {
  prefix?: string;
  /** The queue of tools that name none. */
  defaultQueue?: string;
  /**
   * How long finished jobs are kept, in seconds: a coordinator that takes a run over within
   * this time finds the results of calls that finished while nobody owned the run. Default 7 days.
   */
  keepJobsSeconds?: number;
  /**
   * How often the calls waiting longer than this check their jobs themselves, in case an
   * event was missed (the events stream trimmed while Redis was away). Default 5 s.
   */
  pollMs?: number;
}

type Outcome = { ok: true; value: unknown } | { ok: false; failure: CallFailure };

interface Waiter {
  settle(outcome: Outcome): void;
  /** When it started waiting: only the long waits are checked by the sweep. */
  since: number;
}

/** One queue's producer side: the BullMQ queue, its events, and who waits for which job. */
interface QueueSide {
  queue: Queue;
  eventsRedis: Redis;
  waiters: Map<string, Set<Waiter>>;
  /** The queue's events, once they are read from a known point on. */
  ready: Promise<QueueEvents>;
  sweep: NodeJS.Timeout;
}

/**
 * The coordinator's side of remote tool calls. `registry(local)` gives a registry of proxy
 * tools with the local tools' schemas and options whose `execute` enqueues the call as a
 * BullMQ job (id: the call's idempotency key) and waits for its result; the executor uses
 * it unchanged, journaling the results as local ones. The coordinator runs no tool itself.
 */
export class RemoteCalls {
  readonly keys: RedisKeys;
  readonly #redis: Redis;
  readonly #url: string;
  readonly #defaultQueue: string;
  readonly #keepSeconds: number;
  readonly #pollMs: number;
  readonly #queues = new Map<string, QueueSide>();
  /** Runs this process let go of (lease lost): aborting their calls must not cancel jobs. */
  readonly #detached = new Set<string>();
  #closed = false;

  constructor(url: string, options: RemoteCallsOptions = {}) {
    this.#url = url;
    this.#redis = connectRedis(url, 'toolplan-coordinator');
    this.keys = new RedisKeys(options.prefix);
    this.#defaultQueue = options.defaultQueue ?? DEFAULT_QUEUE;
    this.#keepSeconds = options.keepJobsSeconds ?? 7 * 24 * 3600;
    this.#pollMs = options.pollMs ?? 5000;
  }

  /** Proxies of every tool of `local`, routed to the tool's `queue` or the default one. */
  registry(local: ToolRegistry): ToolRegistry {
    const proxies: Tool[] = local.list().map((r) => ({
      ...r.tool,
      execute: (args: unknown, ctx: ToolContext) => this.call(r.name, r.tool.queue, args, ctx),
    }));
    return ToolRegistry.from(proxies, 'remote');
  }

  /**
   * From now on, the calls of `runId` that abort (because its lease was lost) leave their
   * jobs running: the run's new owner waits for the same jobs.
   */
  detach(runId: string): void {
    this.#detached.add(runId);
  }

  async call(
    tool: string,
    queueName: string | undefined,
    args: unknown,
    ctx: ToolContext,
  ): Promise<unknown> {
    const side = this.#side(queueName ?? this.#defaultQueue);
    await side.ready;
    const jobId = jobIdFor(ctx.idempotencyKey, ctx.attempt);
    const data: CallJob = {
      tool,
      args,
      idempotencyKey: ctx.idempotencyKey,
      runId: ctx.runId,
      nodeId: ctx.nodeId,
      attempt: ctx.attempt,
    };
    for (;;) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const outcome = await this.#enqueueAndWait(side, tool, jobId, data, ctx.signal);
      if (outcome.ok) return outcome.value;
      // A try cancelled by a coordinator is no verdict of the tool's: a new owner calls again.
      if (outcome.failure.aborted && !ctx.signal.aborted) {
        await side.queue.remove(jobId).catch(() => {});
        await this.#redis.del(this.keys.cancelled(data.runId, jobId));
        continue;
      }
      throw failureError(outcome.failure);
    }
  }

  async #enqueueAndWait(
    side: QueueSide,
    tool: string,
    jobId: string,
    data: CallJob,
    signal: AbortSignal,
  ): Promise<Outcome> {
    return new Promise<Outcome>((resolve, reject) => {
      let done = false;
      const finish = () => {
        done = true;
        signal.removeEventListener('abort', onAbort);
        const set = side.waiters.get(jobId);
        set?.delete(waiter);
        if (set?.size === 0) side.waiters.delete(jobId);
      };
      const waiter: Waiter = {
        since: Date.now(),
        settle: (outcome) => {
          if (done) return;
          finish();
          resolve(outcome);
        },
      };
      const onAbort = () => {
        if (done) return;
        finish();
        if (!this.#detached.has(data.runId)) void this.#cancel(data.runId, jobId);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const set = side.waiters.get(jobId) ?? new Set<Waiter>();
      side.waiters.set(jobId, set);
      set.add(waiter);
      // Registered before the job exists: no event can fall in between. A job that exists
      // already (a re-enqueue after a crash) is the same call, and its result this call's:
      // BullMQ says so with a `duplicated` event, and only then is the job read (a new job
      // costs the add alone).
      side.queue
        .add(tool, data, {
          jobId,
          attempts: 1,
          removeOnComplete: { age: this.#keepSeconds },
          removeOnFail: { age: this.#keepSeconds },
        })
        .catch((error: unknown) => {
          if (done) return;
          finish();
          reject(error);
        });
    });
  }

  async #check(side: QueueSide, jobId: string): Promise<Outcome | undefined> {
    const job = await Job.fromId(side.queue, jobId);
    if (!job?.finishedOn) return undefined;
    if (job.failedReason) return { ok: false, failure: decodeFailure(job.failedReason) };
    return { ok: true, value: unwrap(job.returnvalue) };
  }

  /** Checks the jobs waited for longer than `pollMs`, at most 500 at a time. */
  async #sweep(side: QueueSide): Promise<void> {
    const old = Date.now() - this.#pollMs;
    const due: string[] = [];
    for (const [jobId, set] of side.waiters) {
      for (const w of set) if (w.since < old) due.push(jobId);
      if (due.length >= 500) break;
    }
    for (const jobId of new Set(due)) {
      const o = await this.#check(side, jobId);
      if (o) for (const w of [...(side.waiters.get(jobId) ?? [])]) w.settle(o);
    }
  }

  async #cancel(runId: string, jobId: string): Promise<void> {
    try {
      await this.#redis.set(this.keys.cancelled(runId, jobId), '1', 'PX', 24 * 3600 * 1000);
      await this.#redis.publish(this.keys.cancelChannel(), jobId);
    } catch {
      // The call's own end still comes back through its job.
    }
  }

  #side(name: string): QueueSide {
    let side = this.#queues.get(name);
    if (side) return side;
    const prefix = `${this.keys.prefix}:bull`;
    const queue = new Queue(name, { connection: this.#redis, prefix });
    queue.on('error', () => {});
    const eventsRedis = connectRedis(this.#url, 'toolplan-coordinator-events');
    const waiters = new Map<string, Set<Waiter>>();
    const sweep = setInterval(() => void this.#sweep(side!).catch(() => {}), this.#pollMs);
    sweep.unref();
    side = {
      queue,
      eventsRedis,
      waiters,
      ready: this.#listen(name, prefix, eventsRedis, waiters),
      sweep,
    };
    this.#queues.set(name, side);
    return side;
  }

  /**
   * Starts reading the queue's events from the stream's last entry now: BullMQ's default
   * (`$`, as of its first XREAD, sent a round trip after it is "ready") would miss the
   * events of jobs added meanwhile, and leave their calls to the sweep.
   */
  async #listen(
    name: string,
    prefix: string,
    connection: Redis,
    waiters: Map<string, Set<Waiter>>,
  ): Promise<QueueEvents> {
    const last = await this.#redis.xrevrange(`${prefix}:${name}:events`, '+', '-', 'COUNT', 1);
    const events = new QueueEvents(name, {
      connection,
      prefix,
      lastEventId: last[0]?.[0] ?? '0-0',
    });
    events.on('error', () => {});
    const notify = (jobId: string, outcome: Outcome) => {
      for (const w of [...(waiters.get(jobId) ?? [])]) w.settle(outcome);
    };
    events.on('completed', ({ jobId, returnvalue }) =>
      notify(jobId, { ok: true, value: unwrap(returnvalue) }),
    );
    events.on('failed', ({ jobId, failedReason }) =>
      notify(jobId, { ok: false, failure: decodeFailure(failedReason) }),
    );
    events.on('duplicated', ({ jobId }) => {
      if (!waiters.has(jobId)) return;
      const side = this.#queues.get(name)!;
      void this.#check(side, jobId)
        .then((o) => o && notify(jobId, o))
        .catch(() => {});
    });
    await events.waitUntilReady();
    return events;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const side of this.#queues.values()) {
      clearInterval(side.sweep);
      // Its connection sits in a blocking XREAD: cut it rather than wait for the timeout.
      side.eventsRedis.disconnect();
      await side.ready.then((events) => events.close()).catch(() => {});
      await side.queue.close().catch(() => {});
    }
    await closeRedis(this.#redis);
  }
}

/** Workers wrap outputs (`{ v }`) so that a falsy output is not lost on the way. */
function unwrap(returnvalue: unknown): unknown {
  if (typeof returnvalue === 'string') {
    try {
      returnvalue = JSON.parse(returnvalue);
    } catch {
      return returnvalue;
    }
  }
  return (returnvalue as { v?: unknown } | null)?.v ?? null;
}
