import { cancelOnSigint } from '../cli/interrupt.ts';
import type { RunLimits } from '../exec/limits.ts';
import { ProgressReporter } from '../exec/progress-reporter.ts';
import type { RunResult } from '../exec/run-result.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import { closeRedis, connectRedis } from './redis-connection.ts';
import { RedisJournalStore } from './redis-journal-store.ts';
import { RemoteCalls } from './remote-calls.ts';
import { type CallerStops, RunCoordinator, type RunCoordinatorOptions } from './run-coordinator.ts';

type CliIo = { stderr: NodeJS.WritableStream };
/** The command's own way of printing a result; returns the exit code. */
type Report = (result: RunResult) => number;

export interface RedisCliOptions {
  redis: string;
  json?: boolean;
  leaseMs?: number;
  /** The caller's caps on the run (`--max-concurrency`). */
  limits?: RunLimits;
}

/**
 * `exec`/`resume` with `--redis URL`: the run's journal in Redis under a lease, every call
 * on the workers, approvals waited for through Redis (any process can give them with
 * `toolplan resume RUN --redis URL --approve NODE`). Ctrl-C cancels the run (the `exec`
 * way: while it compensates, a first one lets them finish and a second stops them).
 */
async function withCoordinator(
  tools: ToolRegistry,
  options: RedisCliOptions,
  io: CliIo,
  go: (c: RunCoordinator, stops: Required<CallerStops>) => Promise<number>,
): Promise<number> {
  const reporter = new ProgressReporter(io.stderr, options.json ? 'json' : 'plain');
  const settings: RunCoordinatorOptions = {
    url: options.redis,
    tools,
    // The lease decides how soon a dead coordinator's run is taken over (tests shorten it).
    leaseMs: options.leaseMs ?? (Number(process.env.TOOLPLAN_REDIS_LEASE_MS) || undefined),
    onEvent: reporter.onEvent,
    ...(options.limits ? { limits: options.limits } : {}),
    onWaiting: (req) =>
      io.stderr.write(
        `toolplan: run ${req.runId} waits for approval of ${req.key} (${req.tool} ${JSON.stringify(req.args)})\n  approve from any machine: toolplan resume ${req.runId} --redis ${redactUrl(options.redis)} --tools ... --approve ${req.node}\n`,
      ),
  };
  const coordinator = new RunCoordinator(settings);
  const sigint = cancelOnSigint();
  try {
    // As a local exec: a Ctrl-C while compensating lets them finish, a second stops them.
    const code = await go(coordinator, {
      signal: sigint.signal,
      stopSignal: sigint.stopSignal,
      onCompensating: sigint.onCompensating,
    });
    reporter.finish();
    return code;
  } finally {
    sigint.dispose();
    await coordinator.close(false);
  }
}

export function execOnRedis(
  plan: unknown,
  run: { tools: ToolRegistry; input: unknown; runId?: string },
  options: RedisCliOptions,
  io: CliIo,
  report: Report,
): Promise<number> {
  return withCoordinator(run.tools, options, io, async (c, stops) => {
    const result = await c.start(plan, { input: run.input, runId: run.runId, ...stops });
    return report(result);
  });
}

export function resumeOnRedis(
  runId: string,
  run: { tools: ToolRegistry; approve: readonly string[]; deny: readonly string[] },
  options: RedisCliOptions,
  io: CliIo,
  report: Report,
): Promise<number> {
  return withCoordinator(run.tools, options, io, async (c, stops) => {
    const result = await c.resume(runId, { approve: run.approve, deny: run.deny, ...stops });
    if (result) return report(result);
    const h = (await c.store.currentLease(runId))?.holder;
    io.stderr.write(
      `toolplan: run ${runId} is owned by ${h ? `${h.owner} (pid ${h.pid} on ${h.host})` : 'another coordinator'}; ${run.approve.length + run.deny.length > 0 ? 'the decisions were handed to it' : 'nothing to do'}\n`,
    );
    return 0;
  });
}

/**
 * `run --redis`: the LLM loop stays in this process; its plans' calls go to the workers and
 * their journals to Redis (a task's loop state is this process's, so no takeover).
 */
export function remoteSetup(url: string, local: ToolRegistry) {
  const remote = new RemoteCalls(url);
  const redis = connectRedis(url, 'toolplan-journal');
  return {
    tools: remote.registry(local),
    store: new RedisJournalStore(redis),
    close: async () => {
      await remote.close();
      await closeRedis(redis);
    },
  };
}

/** A URL as it may be printed: no password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'redis://…';
  }
}
