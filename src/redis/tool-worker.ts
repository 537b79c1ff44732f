import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { CancelledError, TimeoutError } from '../errors/runtime-errors.ts';
import { ToolplanError } from '../errors/toolplan-error.ts';
import { toJson } from '../exec/invoke-tool.ts';
import { pidAlive } from '../exec/journal-lease.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import type { Tool } from '../tool/tool.ts';
import {
  afterRenewal,
  afterTry,
  claimTimings,
  holderId,
  holderProcess,
  parseClaimReply,
  type RecordedOutcome,
  stepFor,
  type TryEnd,
} from './call-claim.ts';
import { type CallClaimRef, CallClaims } from './call-claims.ts';
import { type CallJob, DEFAULT_QUEUE, encodeFailure } from './job-codec.ts';
import { closeRedis, connectRedis } from './redis-connection.ts';
import { RedisKeys } from './redis-keys.ts';

export interface ToolWorkerOptions {
  url: string;
  tools: ToolRegistry;
  queues?: readonly string[];
  concurrency?: number;
  prefix?: string;
  /**
   * How long a job stays locked to this worker without a renewal. A worker that dies frees
   * its jobs after this, when the stalled-job check moves them back to wait for another
   * worker (same job id, same idempotency key). BullMQ's default is 30 s.
   */
  lockDurationMs?: number;
  /** How many times a job may be recovered from a dead worker before it fails. */
  maxStalledCount?: number;
  /**
   * How long a call's execution claim lives without renewal (default: twice the lock). A
   * job re-delivered while the worker running it still holds the claim waits for that
   * worker's outcome instead of calling the tool again; a dead worker's claim expires and the
   * call runs again. A worker paused longer than this may finish a call a second time.
   */
  claimMs?: number;
  /** How long a call's recorded outcome is kept for late re-deliveries. Default 24 h. */
  keepOutcomesMs?: number;
  /** Called when a job ends, for logs. */
  onJob?: (event: { jobId: string; tool: string; ok: boolean; ms: number }) => void;
}

/**
 * Serves tool calls from BullMQ queues: each job names a tool of `tools`, its JSON args and
 * the call's context. The tool gets a signal that aborts on its own `timeout_ms`, and when
 * the coordinator cancels the call (a published cancel, or one recorded before the job
 * started). Its output goes back as the job's result; an error as the job's failure, named
 * and coded, never retried by BullMQ (the coordinator's retry policy decides).
 */
export class ToolWorker {
  readonly keys: RedisKeys;
  readonly #workers: Worker[] = [];
  readonly #redis: Redis[] = [];
  readonly #subscriber: Redis;
  readonly #options: ToolWorkerOptions;
  readonly #timings: ReturnType<typeof claimTimings>;
  /** This process's tries are told apart by a counter, its runs by a nonce. */
  readonly #nonce = randomBytes(3).toString('hex');
  #tries = 0;
  /** Renews a running call's claim now, by job id: asked when BullMQ could not renew a lock. */
  readonly #renewNow = new Map<string, () => void>();

  constructor(options: ToolWorkerOptions) {
    this.#options = options;
    this.keys = new RedisKeys(options.prefix);
    this.#subscriber = connectRedis(options.url, 'toolplan-worker-cancel');
    const lockDuration = options.lockDurationMs ?? 30_000;
    this.#timings = claimTimings(lockDuration, options.claimMs);
    const claimOptions = {
      ttlMs: this.#timings.ttlMs,
      keepMs: options.keepOutcomesMs ?? 24 * 3600 * 1000,
    };
    for (const name of options.queues ?? [DEFAULT_QUEUE]) {
      const connection = connectRedis(options.url, `toolplan-worker-${name}`);
      this.#redis.push(connection);
      // On BullMQ's own connection: an outcome recorded is in Redis before the job's completion.
      const claims = new CallClaims(connection, this.keys, claimOptions);
      const worker = new Worker(name, (job, _t, signal) => this.#process(claims, job, signal), {
        connection,
        prefix: `${this.keys.prefix}:bull`,
        concurrency: options.concurrency ?? 16,
        lockDuration,
        stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
        maxStalledCount: options.maxStalledCount ?? 5,
        autorun: false,
      });
      worker.on('error', () => {});
      // The job may go to another worker now; whether this one goes on is the claim's to say.
      worker.on('lockRenewalFailed', (jobIds: string[]) => {
        for (const id of jobIds) this.#renewNow.get(id)?.();
      });
      this.#workers.push(worker);
    }
  }

  /** Subscribes to cancellations, then starts taking jobs. */
  async start(): Promise<void> {
    this.#subscriber.on('message', (_channel: string, jobId: string) => {
      for (const w of this.#workers) w.cancelJob(jobId, 'cancelled by its coordinator');
    });
    await this.#subscriber.subscribe(this.keys.cancelChannel());
    for (const w of this.#workers) void w.run().catch(() => {});
    await Promise.all(this.#workers.map((w) => w.waitUntilReady()));
  }

  async #process(
    claims: CallClaims,
    job: Job<CallJob>,
    jobSignal: AbortSignal | undefined,
  ): Promise<{ v: unknown }> {
    const since = Date.now();
    const data = job.data;
    const registered = this.#options.tools.get(data.tool);
    let ok = false;
    try {
      if (!registered) {
        throw new ToolplanError('ToolNotFound', `this worker has no tool "${data.tool}"`, {
          code: 'tool_not_found',
          blame: 'config',
          retryable: false,
          details: { tool: data.tool },
        });
      }
      const holder = holderId(hostname(), process.pid, this.#nonce, ++this.#tries);
      const ref = { claims, runId: data.runId, jobId: job.id!, holder };
      const outcome = await this.#claimed(ref, registered.tool, data, jobSignal);
      if (!outcome.ok) throw new UnrecoverableError(outcome.reason);
      ok = true;
      return { v: outcome.v };
    } catch (error) {
      if (error instanceof UnrecoverableError) throw error;
      throw new UnrecoverableError(encodeFailure(error, jobSignal?.aborted === true));
    } finally {
      this.#options.onJob?.({ jobId: job.id!, tool: data.tool, ok, ms: Date.now() - since });
    }
  }

  /** The call's outcome: this try's, or, under a live or ended claim, the other try's. */
  async #claimed(
    ref: Try,
    tool: Tool,
    data: CallJob,
    jobSignal: AbortSignal | undefined,
  ): Promise<RecordedOutcome> {
    let reply = await ref.claims.claim(ref);
    for (;;) {
      const step = stepFor(parseClaimReply(reply, ref.holder), holderDead);
      if (step.do === 'refuse') throw new UnrecoverableError(encodeFailure(cancelled(), true));
      if (step.do === 'complete') return step.outcome;
      if (step.do === 'take-over') {
        reply = await ref.claims.takeOver(ref, step.holder);
        continue;
      }
      if (step.do === 'wait') {
        await sleep(this.#timings.pollMs, jobSignal);
        reply = await ref.claims.claim(ref);
        continue;
      }
      const action = afterTry(await this.#try(ref, tool, data, jobSignal));
      if (action.do === 'record') {
        // Not waited for: sent ahead of the job's completion on the same connection, so Redis
        // has it first, and both share one round trip and one fsync. A job that completes is
        // never delivered again; one that does not finds the outcome.
        ref.claims.finish(ref, action.outcome).catch(() => {});
        return action.outcome;
      }
      if (action.do === 'release') {
        await ref.claims.release(ref).catch(() => {});
        throw new UnrecoverableError(encodeFailure(cancelled(), true));
      }
      reply = await ref.claims.claim(ref);
    }
  }

  /** Runs the tool once under the claim, renewed meanwhile; stopped if the claim is lost. */
  async #try(
    ref: Try,
    tool: Tool,
    data: CallJob,
    jobSignal: AbortSignal | undefined,
  ): Promise<TryEnd> {
    const lost = new AbortController();
    let renewing = false;
    const renew = () => {
      if (renewing || lost.signal.aborted) return;
      renewing = true;
      ref.claims
        .renew(ref)
        .then((reply) => {
          if (afterRenewal(parseClaimReply(reply, ref.holder)) === 'abort')
            lost.abort(
              new CancelledError('another worker took this call over', { code: 'claim_lost' }),
            );
        })
        // Redis away: the claim may expire meanwhile, then the next renewal says so.
        .catch(() => {})
        .finally(() => {
          renewing = false;
        });
    };
    const timer = setInterval(renew, this.#timings.renewMs);
    this.#renewNow.set(ref.jobId, renew);
    try {
      return { kind: 'value', v: await this.#call(tool, data, [jobSignal, lost.signal]) };
    } catch (error) {
      if (lost.signal.aborted) return { kind: 'claim-lost' };
      if (jobSignal?.aborted) return { kind: 'cancelled' };
      return { kind: 'failed', reason: encodeFailure(error, false) };
    } finally {
      clearInterval(timer);
      this.#renewNow.delete(ref.jobId);
    }
  }

  async #call(
    tool: Tool,
    data: CallJob,
    stops: ReadonlyArray<AbortSignal | undefined>,
  ): Promise<unknown> {
    const controller = new AbortController();
    const onStop = (stop: AbortSignal) => () =>
      controller.abort(stop.reason instanceof CancelledError ? stop.reason : cancelled());
    const listeners = stops.map((stop) => {
      const l = stop ? onStop(stop) : undefined;
      if (stop && l) stop.addEventListener('abort', l, { once: true });
      return l;
    });
    const timer =
      tool.timeout_ms === undefined
        ? undefined
        : setTimeout(
            () =>
              controller.abort(
                new TimeoutError(`tool ${tool.name} did not finish within ${tool.timeout_ms} ms`, {
                  details: { tool: tool.name, timeout_ms: tool.timeout_ms },
                }),
              ),
            tool.timeout_ms,
          );
    try {
      const signal = controller.signal;
      const result = tool.execute(data.args, {
        signal,
        idempotencyKey: data.idempotencyKey,
        runId: data.runId,
        nodeId: data.nodeId,
        attempt: data.attempt,
      });
      // A tool that ignores its signal must not hold the job past a cancel or its timeout.
      const raced = await new Promise<unknown>((resolve, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        Promise.resolve(result).then(resolve, reject);
      });
      return toJson(raced, tool.name);
    } finally {
      if (timer) clearTimeout(timer);
      stops.forEach((stop, i) => {
        const l = listeners[i];
        if (stop && l) stop.removeEventListener('abort', l);
      });
    }
  }

  /** Stops taking jobs, lets running ones finish (graceful), then disconnects. */
  async close(force = false): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.close(force).catch(() => {})));
    await Promise.all([this.#subscriber, ...this.#redis].map(closeRedis));
  }
}

/** A holder that ran on this host and is gone (as for run leases). */
function holderDead(holder: string): boolean {
  const p = holderProcess(holder);
  return p !== undefined && p.host === hostname() && p.pid !== process.pid && !pidAlive(p.pid);
}

/** One try of a call: its claim, and the claims of the queue it came from. */
interface Try extends CallClaimRef {
  claims: CallClaims;
}

function cancelled(): CancelledError {
  return new CancelledError('the call was cancelled by its coordinator', { retryable: false });
}

/** Waits `ms`, or rejects with the signal's reason when it aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
