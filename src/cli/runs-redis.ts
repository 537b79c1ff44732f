import { redactUrl } from '../redis/redis-cli.ts';
import { closeRedis, connectRedis } from '../redis/redis-connection.ts';
import { RedisJournalStore } from '../redis/redis-journal-store.ts';
import { checkRunId } from '../redis/redis-keys.ts';
import { requestCancel } from '../redis/run-cancel.ts';
import type { CliIo } from './exec.ts';
import { printRows, printTimeline, type RunRow, rowOf } from './run-rows.ts';

type Io = Pick<CliIo, 'stdout' | 'stderr'>;

/**
 * `toolplan runs --redis URL`: the runs of the Redis run index, with the local listing's
 * columns and states. A run the journal says is running and whose lease nobody holds is
 * `interrupted` (a watching coordinator or `serve --redis` takes it over; `resume --redis`
 * does too).
 */
export async function listRedisRuns(url: string, json: boolean, io: Io = process): Promise<number> {
  return withStore(url, io, async (store) => {
    const how = `--redis ${redactUrl(url)}`;
    const rows: RunRow[] = [];
    for (const id of await store.list()) rows.push(await rowOf(store, id, how));
    printRows(rows, json, redactUrl(url), io);
    return 0;
  });
}

/** `toolplan runs show RUN --redis URL`: the timeline of a run journaled in Redis. */
export function showRedisRun(runId: string, url: string, io: Io = process): Promise<number> {
  return withStore(url, io, (store) => printTimeline(store, runId, redactUrl(url), io));
}

/**
 * `toolplan runs cancel RUN --redis URL`: records the cancel in Redis; the run's owner
 * (a `serve --redis`, a coordinator) cancels it at its next lease renewal, journaled as a
 * local cancel, or the coordinator that takes it over does. A suspended run has no owner to
 * find it: it is cancelled through `serve --redis`, which takes and ends it.
 */
export function cancelRedisRun(runId: string, url: string, io: Io = process): Promise<number> {
  return withStore(url, io, async (store, redis) => {
    const row = await rowOf(store, checkRunId(runId), `--redis ${redactUrl(url)}`);
    if (row.status === 'running' || row.status === 'interrupted') {
      await requestCancel(redis, store.keys, runId, 'cancelled through toolplan runs cancel');
      const holder = (await store.currentLease(runId))?.holder;
      io.stdout.write(
        `toolplan: cancel of run ${runId} recorded; ${holder ? `its owner ${holder.owner} (pid ${holder.pid} on ${holder.host}) cancels it shortly` : 'the coordinator that takes it over cancels it'}\n`,
      );
      return 0;
    }
    const why =
      row.status === 'suspended'
        ? 'is suspended: cancel it through a `serve --redis` (POST /v1/runs/ID/cancel)'
        : row.status === 'unreadable' || row.status === 'unknown'
          ? `cannot be read (${row.problem ?? 'no journal in Redis'})`
          : `has already ended (${row.status})`;
    io.stderr.write(`toolplan: run ${runId} ${why}\n`);
    return 1;
  });
}

async function withStore(
  url: string,
  io: Io,
  body: (store: RedisJournalStore, redis: ReturnType<typeof connectRedis>) => Promise<number>,
): Promise<number> {
  let redis: ReturnType<typeof connectRedis>;
  try {
    redis = connectRedis(url, 'toolplan-runs');
  } catch (error) {
    io.stderr.write(`toolplan: ${(error as Error).name}: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    // Commands wait for Redis forever elsewhere (a restart is survived); a listing asked
    // of a wrong URL says so instead.
    if (!(await ready(redis, 10_000))) {
      io.stderr.write(
        `toolplan: cannot reach Redis at ${redactUrl(url)} (is redis-server running?)\n`,
      );
      return 1;
    }
    return await body(new RedisJournalStore(redis), redis);
  } finally {
    await closeRedis(redis);
  }
}

function ready(redis: ReturnType<typeof connectRedis>, ms: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
