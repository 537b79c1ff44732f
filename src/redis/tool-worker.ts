import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { CancelledError, TimeoutError } from '../errors/runtime-errors.ts';
import { ToolplanError } from '../errors/toolplan-error.ts';
import { toJson } from '../exec/invoke-tool.ts';
import type { ToolRegistry } from '../tool/registry.ts';
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
  readonly #commands: Redis;
  readonly #options: ToolWorkerOptions;

  constructor(options: ToolWorkerOptions) {
    this.#options = options;
    this.keys = new RedisKeys(options.prefix);
    this.#commands = connectRedis(options.url, 'toolplan-worker');
    this.#subscriber = connectRedis(options.url, 'toolplan-worker-cancel');
    const lockDuration = options.lockDurationMs ?? 30_000;
    for (const name of options.queues ?? [DEFAULT_QUEUE]) {
      const connection = connectRedis(options.url, `toolplan-worker-${name}`);
      this.#redis.push(connection);
      const worker = new Worker(name, (job, _token, signal) => this.#process(job, signal), {
        connection,
        prefix: `${this.keys.prefix}:bull`,
        concurrency: options.concurrency ?? 16,
        lockDuration,
        stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
        maxStalledCount: options.maxStalledCount ?? 5,
        autorun: false,
      });
      worker.on('error', () => {});
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

  async #process(job: Job<CallJob>, jobSignal: AbortSignal | undefined): Promise<{ v: unknown }> {
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
      if (await this.#commands.exists(this.keys.cancelled(job.id!))) {
        throw new UnrecoverableError(encodeFailure(cancelled(), true));
      }
      const v = await this.#call(registered.tool, data, jobSignal);
      ok = true;
      return { v };
    } catch (error) {
      if (error instanceof UnrecoverableError) throw error;
      throw new UnrecoverableError(encodeFailure(error, jobSignal?.aborted === true));
    } finally {
      this.#options.onJob?.({ jobId: job.id!, tool: data.tool, ok, ms: Date.now() - since });
    }
  }

  async #call(
    tool: NonNullable<ReturnType<ToolRegistry['get']>>['tool'],
    data: CallJob,
    jobSignal: AbortSignal | undefined,
  ): Promise<unknown> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(cancelled());
    jobSignal?.addEventListener('abort', onAbort, { once: true });
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
      jobSignal?.removeEventListener('abort', onAbort);
    }
  }

  /** Stops taking jobs, lets running ones finish (graceful), then disconnects. */
  async close(force = false): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.close(force).catch(() => {})));
    await Promise.all([this.#subscriber, this.#commands, ...this.#redis].map(closeRedis));
  }
}

function cancelled(): CancelledError {
  return new CancelledError('the call was cancelled by its coordinator', { retryable: false });
}
