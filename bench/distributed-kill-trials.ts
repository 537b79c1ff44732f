/**
 * The kill-trial bench in distributed mode: one Redis (AOF, appendfsync always), 3 worker
 * processes and 2 watching coordinators (`toolplan coordinator`). Each trial runs a plan with
 * `toolplan exec --redis` and SIGKILLs one process at a random moment: the trial's own
 * coordinator, a worker, or a watching coordinator (killed workers and coordinators are
 * started again). Whoever is left finishes the run. Checked per trial, from the Redis journal
 * and a log every tool call appends to:
 * - the output equals an uninterrupted run's;
 * - no call whose result was journaled ran again (no start after its node.succeeded);
 * - no call ran under a key outside the plan's (no repeat under another key);
 * - the journal is one writer's story (seq 0..n-1, one run.started, one run.finished).
 * In-flight calls re-run under the same key (a killed worker's job re-delivered) are counted,
 * not errors. Prints a table; exits 1 if a guarantee broke.
 *
 * `node --import tsx bench/distributed-kill-trials.ts [trials=100] [seed=1] [parallel=6]`
 * (`TOOLPLAN_KEEP_MARKS=1` keeps the calls log and prints where)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent } from '../src/exec/events.ts';
import { connectRedis } from '../src/redis/redis-connection.ts';
import { RedisJournalStore } from '../src/redis/redis-journal-store.ts';
import { RedisServerProcess } from '../src/redis/redis-server-process.ts';
import { BENCH_TOOLS, type BenchProc, spawnToolplan, startWorker } from './support/fleet-procs.ts';

const TRIALS = Number(process.argv[2] ?? 100);
const SEED = Number(process.argv[3] ?? 1);
const PARALLEL = Number(process.argv[4] ?? 6);
const FAN = 8;

const server = await RedisServerProcess.start();
const marks = mkdtempSync(join(tmpdir(), 'toolplan-dkill-'));
const env = { TOOLPLAN_MARKS: marks, TOOLPLAN_REDIS_LEASE_MS: '1500' };
const conn = connectRedis(server.url, 'bench');
const store = new RedisJournalStore(conn);

const plan = {
  version: 1,
  nodes: [
    {
      id: 'fan',
      map: '${input.ns}',
      as: 'x',
      do: [{ id: 'w', call: 'io_wait', args: { n: '${x}', ms: 300 } }],
    },
    { id: 'total', call: 'io_wait', args: { n: '${ sum(fan.map(r, r.v)) }', ms: 200 } },
  ],
  output: "${ {'total': total.v, 'parts': fan.map(r, r.v)} }",
};
const input = { ns: Array.from({ length: FAN }, (_, i) => i + 1) };
const expected = {
  total: 2 * input.ns.reduce((a, n) => a + 2 * n, 0),
  parts: input.ns.map((n) => 2 * n),
};
const planFile = join(marks, 'plan.json');
writeFileSync(planFile, JSON.stringify(plan));

/** mulberry32: nearby seeds give unrelated streams. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const workers: BenchProc[] = [];
const coordinators: BenchProc[] = [];
const newWorker = () => startWorker(server.url, ['--lock-ms', '1500', '--concurrency', '8'], env);
const newCoordinator = () =>
  spawnToolplan(
    [
      'coordinator',
      '--tools',
      BENCH_TOOLS,
      '--redis',
      server.url,
      '--lease-ms',
      '1500',
      '--poll-ms',
      '200',
    ],
    /watching/,
    env,
  );
for (let i = 0; i < 3; i++) workers.push(newWorker());
for (let i = 0; i < 2; i++) coordinators.push(newCoordinator());
await Promise.all([...workers, ...coordinators].map((p) => p.ready));

interface Report {
  trial: number;
  victim: string;
  restarts: number;
  sameKeyReruns: number;
  rerunAfterJournaled: number;
  otherKeys: number;
  toolFinishedTwice: number;
  problems: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function finished(runId: string, ms: number): Promise<RunEvent[] | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const events = await store.read(runId);
    if (events.at(-1)?.type === 'run.finished') return events;
    await sleep(100);
  }
  return undefined;
}

async function trial(i: number): Promise<Report> {
  const rnd = seeded(SEED * 100_003 + i);
  const runId = `k${SEED}x${i}`;
  const kinds = ['coordinator of the run', 'worker', 'watching coordinator'] as const;
  const victim = kinds[Math.floor(rnd() * kinds.length)]!;
  // A random moment of the run itself (it takes about 0.6 s uninterrupted), not of the
  // process's start-up.
  const delay = Math.floor(rnd() * 1000);
  const report: Report = {
    trial: i,
    victim,
    restarts: 0,
    sameKeyReruns: 0,
    rerunAfterJournaled: 0,
    otherKeys: 0,
    toolFinishedTwice: 0,
    problems: [],
  };
  const startExec = () =>
    spawnToolplan(
      ['exec', planFile, '--tools', BENCH_TOOLS, '--redis', server.url, '--run-id', runId].concat([
        '--input',
        JSON.stringify(input),
      ]),
      /$^/,
      env,
    );
  let exec = startExec();
  const started = Date.now();
  while (
    (await store.read(runId)).length === 0 &&
    exec.child.exitCode === null &&
    Date.now() - started < 60_000
  )
    await sleep(20);
  await sleep(delay);
  if (victim === 'coordinator of the run') exec.child.kill('SIGKILL');
  else {
    const pool = victim === 'worker' ? workers : coordinators;
    const at = Math.floor(rnd() * pool.length);
    pool[at]!.child.kill('SIGKILL');
    pool[at] = victim === 'worker' ? newWorker() : newCoordinator();
  }
  await exec.exited;
  // Killed before it journaled run.started: nothing to take over; the user runs it again.
  if ((await store.read(runId)).length === 0) {
    report.restarts += 1;
    exec = startExec();
    await exec.exited;
  }
  const events = await finished(runId, 90_000);
  if (!events) {
    report.problems.push('the run did not finish within 90 s');
    return report;
  }
  const last = events.at(-1) as Extract<RunEvent, { type: 'run.finished' }>;
  if (last.status !== 'succeeded' || JSON.stringify(last.output) !== JSON.stringify(expected))
    report.problems.push(`output ${last.status} ${JSON.stringify(last.output ?? last.error)}`);
  if (events.some((e, n) => e.seq !== n)) report.problems.push('journal seq not 0..n-1');
  if (events.filter((e) => e.type === 'run.started').length !== 1)
    report.problems.push('run.started not once');
  if (events.filter((e) => e.type === 'run.finished').length !== 1)
    report.problems.push('run.finished not once');
  const succeededAt = new Map<string, number>();
  for (const e of events)
    if (e.type === 'node.succeeded') succeededAt.set(`${runId}/${e.key}`, e.at);
  const keys = new Set([...input.ns.map((_, n) => `${runId}/w/${n}`), `${runId}/total`]);
  const log = existsSync(join(marks, 'calls.log'))
    ? readFileSync(join(marks, 'calls.log'), 'utf8')
    : '';
  const starts = new Map<string, number>();
  const finishes = new Map<string, number>();
  for (const line of log.split('\n')) {
    const [what, key, , at] = line.split(' ');
    if (!key?.startsWith(`${runId}/`)) continue;
    if (!keys.has(key)) report.otherKeys += 1;
    const m = what === 'start' ? starts : finishes;
    m.set(key, (m.get(key) ?? 0) + 1);
    if (what === 'start' && Number(at) > (succeededAt.get(key) ?? Number.POSITIVE_INFINITY))
      report.rerunAfterJournaled += 1;
  }
  for (const n of starts.values()) report.sameKeyReruns += n - 1;
  for (const n of finishes.values()) report.toolFinishedTwice += n > 1 ? n - 1 : 0;
  if (report.rerunAfterJournaled)
    report.problems.push(`${report.rerunAfterJournaled} journaled calls ran again`);
  if (report.otherKeys)
    report.problems.push(`${report.otherKeys} calls under keys outside the plan`);
  return report;
}

const t0 = performance.now();
const reports: Report[] = [];
let next = 0;
await Promise.all(
  Array.from({ length: PARALLEL }, async () => {
    for (;;) {
      const i = next++;
      if (i >= TRIALS) return;
      const r = await trial(i);
      reports.push(r);
      if (r.problems.length)
        console.error(`trial ${i} (${r.victim} killed): ${r.problems.join('; ')}`);
    }
  }),
);
const seconds = (performance.now() - t0) / 1000;

const sum = (rs: Report[], f: (r: Report) => number) => rs.reduce((n, r) => n + f(r), 0);
console.log(
  `\n${TRIALS} trials, seed ${SEED}, ${PARALLEL} at once, ${seconds.toFixed(0)} s (3 workers, 2 watching coordinators, one SIGKILL per trial)\n`,
);
console.log(
  '| killed | trials | outputs equal | restarts (killed before run.started) | in-flight re-runs (same key) | journaled calls run again | calls under another key | tool finished twice (at-least-once window) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const v of ['coordinator of the run', 'worker', 'watching coordinator', 'all']) {
  const rs = v === 'all' ? reports : reports.filter((r) => r.victim === v);
  const ok = rs.filter(
    (r) => !r.problems.some((p) => p.startsWith('output') || p.startsWith('the run')),
  ).length;
  console.log(
    `| ${v} | ${rs.length} | ${ok}/${rs.length} | ${sum(rs, (r) => r.restarts)} | ${sum(rs, (r) => r.sameKeyReruns)} | ${sum(rs, (r) => r.rerunAfterJournaled)} | ${sum(rs, (r) => r.otherKeys)} | ${sum(rs, (r) => r.toolFinishedTwice)} |`,
  );
}
const broken = reports.filter((r) => r.problems.length).length;
console.log(`\n${broken === 0 ? 'every guarantee held' : `${broken} trials broke a guarantee`}`);

for (const p of [...workers, ...coordinators]) p.child.kill('SIGKILL');
await Promise.all([...workers, ...coordinators].map((p) => p.exited));
conn.disconnect();
await server.stop();
if (process.env.TOOLPLAN_KEEP_MARKS) console.log(`calls log kept in ${marks}`);
else rmSync(marks, { recursive: true, force: true });
process.exitCode = broken ? 1 : 0;
