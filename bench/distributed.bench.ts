/**
 * Toolplan past one machine, measured in one run on this machine (ratios, not absolutes):
 * 1. a 1,000-call fan-out of 100 ms I/O-bound calls on 1, 2, 4 and 8 worker processes
 *    (each worker runs `--concurrency` calls at once: the capacity one process brings);
 * 2. per-call overhead of a remote call against an in-process one (a chain of instant calls);
 * 3. events per second one Redis journal takes from 100 concurrent runs.
 * It starts its own redis-server (AOF, appendfsync always) in a temp dir.
 *
 * The fan-out runs as a coordinator does (remote proxies, a leased Redis journal) but with
 * the caller's `max_concurrency` raised to the number of calls: at the executor's default
 * of 16 calls in flight per run, more than 16 worker slots would sit idle.
 *
 * `node --import tsx bench/distributed.bench.ts [calls=1000] [perWorker=10] [workers=1,2,4,8]
 *  [sections=scaling,chain,events] [inFlight=calls]`
 */
import { executePlan } from '../src/exec/execute-plan.ts';
import { thisProcess } from '../src/exec/journal-lease.ts';
import { MemoryJournalStore } from '../src/exec/journal-store.ts';
import { leasedStore } from '../src/exec/leased-store.ts';
import { connectRedis } from '../src/redis/redis-connection.ts';
import { RedisJournalStore } from '../src/redis/redis-journal-store.ts';
import { RedisServerProcess } from '../src/redis/redis-server-process.ts';
import { RemoteCalls } from '../src/redis/remote-calls.ts';
import { RunCoordinator } from '../src/redis/run-coordinator.ts';
import { loadRegistry } from '../src/tool/load-tools-module.ts';
import { BENCH_TOOLS, cpuMsOf, startWorker, stopAll } from './support/fleet-procs.ts';

const CALLS = Number(process.argv[2] ?? 1000);
const PER_WORKER = Number(process.argv[3] ?? 10);
const WORKER_COUNTS = (process.argv[4] ?? '1,2,4,8').split(',').map(Number);
const SECTIONS = new Set((process.argv[5] ?? 'scaling,chain,events').split(','));
/** The run's `max_concurrency` (calls in flight at most); 16, the executor's default, to compare. */
const IN_FLIGHT = Number(process.argv[6] ?? CALLS);
const server = await RedisServerProcess.start();
const tools = await loadRegistry([BENCH_TOOLS]);
const coordinator = new RunCoordinator({ url: server.url, tools, leaseMs: 10_000 });
let runs = 0;

function fanOut(n: number, ms: number) {
  return {
    version: 1,
    limits: { max_concurrency: n },
    nodes: [
      {
        id: 'fan',
        map: '${input.ns}',
        as: 'x',
        concurrency: n,
        do: [{ id: 'w', call: 'io_wait', args: { n: '${x}', ms } }],
      },
    ],
    output: '${ sum(fan.map(r, r.v)) }',
  };
}

function chain(n: number) {
  const nodes = [{ id: 'c0', call: 'echo', args: { x: 0 } }];
  for (let i = 1; i < n; i++)
    nodes.push({ id: `c${i}`, call: 'echo', args: { x: `\${c${i - 1}.x}` as unknown as number } });
  return { version: 1, nodes, output: `\${c${n - 1}.x}` };
}

async function timed(f: () => Promise<{ status: string }>): Promise<number> {
  const t0 = performance.now();
  const r = await f();
  if (r.status !== 'succeeded') throw new Error(`bench run ${r.status}: ${JSON.stringify(r)}`);
  return performance.now() - t0;
}

const fanRedis = connectRedis(server.url, 'bench-fan');
const fanStore = new RedisJournalStore(fanRedis);
const fanCalls = new RemoteCalls(server.url);
const fanTools = fanCalls.registry(tools);
const remoteRun = (plan: unknown, input: unknown) =>
  timed(async () => {
    const runId = `bench${runs++}`;
    const lease = await fanStore.acquireLease(runId, thisProcess('bench'), { ttlMs: 60_000 });
    const store = leasedStore(fanStore, lease);
    const limits = { max_concurrency: IN_FLIGHT };
    return executePlan(plan, { tools: fanTools, store, input, runId, limits });
  });

// 1. Fan-out scaling.
const input = { ns: Array.from({ length: CALLS }, (_, i) => i) };
const scaling: Array<{
  workers: number;
  ms: number;
  cpu: { coordinator: number; workers: number; redis: number };
}> = [];
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
for (const w of SECTIONS.has('scaling') ? WORKER_COUNTS : []) {
  const procs = Array.from({ length: w }, () =>
    startWorker(server.url, ['--concurrency', String(PER_WORKER)]),
  );
  await Promise.all(procs.map((p) => p.ready));
  await remoteRun(fanOut(2 * w * PER_WORKER, 10), {
    ns: Array.from({ length: 2 * w * PER_WORKER }, (_, i) => i),
  });
  const cpu = () => ({
    coordinator: selfCpu(),
    workers: procs.reduce((n, p) => n + cpuMsOf(p.child.pid), 0),
    redis: cpuMsOf(server.pid),
  });
  const cpu0 = cpu();
  const ms = await remoteRun(fanOut(CALLS, 100), input);
  const cpu1 = cpu();
  const per = (k: keyof typeof cpu0) => (cpu1[k] - cpu0[k]) / CALLS;
  scaling.push({
    workers: w,
    ms,
    cpu: { coordinator: per('coordinator'), workers: per('workers'), redis: per('redis') },
  });
  await stopAll(procs);
}
if (scaling.length > 0) {
  const base = scaling[0]!.ms;
  console.log(
    `\n${CALLS}-call fan-out of 100 ms calls, ${PER_WORKER} calls at once per worker process, at most ${IN_FLIGHT} in flight (ideal at 1 worker: ${((CALLS / PER_WORKER) * 100) / 1000} s)\n`,
  );
  console.log(
    '| workers | wall s | calls/s | speed-up vs 1 | CPU ms per call: coordinator | workers | Redis | total |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of scaling) {
    const { coordinator: c, workers: wk, redis: r } = s.cpu;
    console.log(
      `| ${s.workers} | ${(s.ms / 1000).toFixed(2)} | ${Math.round(CALLS / (s.ms / 1000))} | ${(base / s.ms).toFixed(2)}x | ${c.toFixed(2)} | ${wk.toFixed(2)} | ${r.toFixed(2)} | ${(c + wk + r).toFixed(2)} |`,
    );
  }
}

if (SECTIONS.has('chain')) {
  // 2. Per-call overhead: a chain of N instant calls, each waiting for the one before, under
  // the fsync setting toolplan requires (always) and the one it does not (everysec).
  const N = 200;
  console.log(`\nPer call, a chain of ${N} instant calls (each waits for the one before)\n`);
  console.log('| where the call runs | journal | appendfsync | ms per call |');
  console.log('| --- | --- | --- | ---: |');
  const localMs = await timed(() =>
    executePlan(chain(N), { tools, store: new MemoryJournalStore() }),
  );
  console.log(`| in-process | memory | - | ${(localMs / N).toFixed(3)} |`);
  for (const fsync of ['always', 'everysec'] as const) {
    const srv = fsync === 'always' ? server : await RedisServerProcess.start({ fsync });
    const c = fsync === 'always' ? coordinator : new RunCoordinator({ url: srv.url, tools });
    const conn = connectRedis(srv.url, 'bench');
    const store = new RedisJournalStore(conn, { prefix: 'benchlocal' });
    const localRedisMs = await timed(() =>
      executePlan(chain(N), { tools, store, runId: `local-${fsync}` }),
    );
    const one = [startWorker(srv.url, ['--concurrency', '4'])];
    await Promise.all(one.map((p) => p.ready));
    await timed(() => c.start(chain(20), { runId: `warm-${fsync}` }));
    const remoteMs = await timed(() => c.start(chain(N), { runId: `chain-${fsync}` }));
    await stopAll(one);
    console.log(`| in-process | Redis | ${fsync} | ${(localRedisMs / N).toFixed(3)} |`);
    console.log(`| remote worker (BullMQ) | Redis | ${fsync} | ${(remoteMs / N).toFixed(3)} |`);
    console.log(`| remote overhead | | ${fsync} | ${((remoteMs - localRedisMs) / N).toFixed(3)} |`);
    conn.disconnect();
    if (fsync !== 'always') {
      await c.close(false);
      await srv.stop();
    }
  }
}

if (SECTIONS.has('events')) {
  const journalRedis = connectRedis(server.url, 'bench');
  const rstore = new RedisJournalStore(journalRedis, { prefix: 'benchevents' });

  // 3. Events per second into one Redis journal from 100 concurrent runs.
  const RUNS = 100;
  const SECONDS = 3;
  const leases = await Promise.all(
    Array.from({ length: RUNS }, (_, i) =>
      rstore.acquireLease(`ev${i}`, thisProcess('bench'), { ttlMs: 60_000 }),
    ),
  );
  for (const batch of [1, 10]) {
    const until = performance.now() + SECONDS * 1000;
    let events = 0;
    await Promise.all(
      leases.map(async (lease, i) => {
        const runId = `ev${i}`;
        let seq = (await rstore.read(runId)).length;
        while (performance.now() < until) {
          const evs = Array.from({ length: batch }, () => ({
            type: 'node.succeeded' as const,
            key: `k${seq}`,
            output: { v: seq },
            seq: seq++,
            at: Date.now(),
          }));
          await rstore.append(runId, evs, { lease });
          events += batch;
        }
      }),
    );
    console.log(
      `\n${RUNS} concurrent runs appending batches of ${batch} (leased, fenced, appendfsync always): ${Math.round(events / SECONDS)} events/s`,
    );
  }
  journalRedis.disconnect();
}

await fanCalls.close();
fanRedis.disconnect();
await coordinator.close(false);
await server.stop();
