/**
 * Random kill -9 trials over real child processes (`kill-worker.ts`): start a run, SIGKILL
 * it at a random moment, resume it in a new process, kill that one too, and so on until a
 * process finishes the run. Then the effects file and the journal are checked against an
 * uninterrupted run. Shared by `test/reliability/kill-resume.test.ts` and
 * `bench/kill-trials.ts`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileJournalStore } from '../../../src/exec/file-journal-store.ts';
import { foldEvents } from '../../../src/exec/run-state.ts';

const WORKER = resolve(import.meta.dirname, 'kill-worker.ts');

export type PlanName = 'work' | 'saga' | 'trysaga' | 'nodes';

export interface Segment {
  killed: boolean;
  /** A SIGINT was sent (SIGINT trials): the process may have ended cancelled, or finished. */
  interrupted?: boolean;
  /** ms after READY that the kill was sent (undefined: not killed). */
  killAfterMs?: number;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  readyToExitMs: number;
}

export interface WorkerRun {
  dir: string;
  journalDir: string;
  effects: string;
  runId: string;
}

export function newWorkerRun(runId: string): WorkerRun {
  const dir = mkdtempSync(join(tmpdir(), 'toolplan-rel-kill-'));
  return { dir, journalDir: join(dir, 'runs'), effects: join(dir, 'effects.log'), runId };
}

/**
 * Runs one worker process. `killAfterMs` (after the worker says READY) sends SIGKILL;
 * `killWhen` sends it once the effects file satisfies a predicate (polled every 2 ms).
 */
export function runWorker(
  run: WorkerRun,
  mode: 'start' | 'resume',
  plan: PlanName,
  kill: {
    afterMs?: number;
    when?: (effects: EffectLine[]) => boolean;
    thenMs?: number;
    /** SIGKILL by default; SIGINT is a person's Ctrl-C. */
    signal?: 'SIGKILL' | 'SIGINT';
    /** SIGINT only: a second Ctrl-C this long after the child answered the first. */
    againMs?: number;
  } = {},
): Promise<Segment> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', WORKER, mode, run.journalDir, run.runId, run.effects, plan],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let readyAt = 0;
    let killAfterMs: number | undefined;
    let interrupted = false;
    const timers: NodeJS.Timeout[] = [];
    const alive = () => child.exitCode === null && child.signalCode === null;
    const sendKill = () => {
      if (!alive()) return;
      killAfterMs = performance.now() - readyAt;
      if (kill.signal !== 'SIGINT') {
        child.kill('SIGKILL');
        return;
      }
      interrupted = true;
      child.kill('SIGINT');
      if (kill.againMs === undefined) return;
      // The second Ctrl-C counts from the child's answer to the first: two signals sent in
      // one tick of a loaded machine would reach it as one (Linux does not queue them).
      const answered = setInterval(() => {
        if (!/toolplan: (cancelling|compensating|stopping)/.test(stderr)) return;
        clearInterval(answered);
        timers.push(setTimeout(() => alive() && child.kill('SIGINT'), kill.againMs));
      }, 2);
      timers.push(answered);
    };
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const first = stdout === '';
      stdout += chunk;
      if (first && stdout.startsWith('READY')) {
        readyAt = performance.now();
        if (kill.afterMs !== undefined) timers.push(setTimeout(sendKill, kill.afterMs));
        if (kill.when) {
          const poll = setInterval(() => {
            if (kill.when!(readEffects(run.effects))) {
              clearInterval(poll);
              timers.push(setTimeout(sendKill, kill.thenMs ?? 0));
            }
          }, 2);
          timers.push(poll);
        }
      }
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (exitCode, signal) => {
      clearTimeout(guard);
      for (const t of timers) clearTimeout(t);
      done({
        killed: signal === 'SIGKILL',
        interrupted,
        ...(signal === 'SIGKILL' || interrupted ? { killAfterMs } : {}),
        stdout,
        stderr,
        exitCode,
        signal,
        readyToExitMs: readyAt ? performance.now() - readyAt : 0,
      });
    });
  });
}

export interface EffectLine {
  key: string;
  node: string;
  args: string;
}

export function readEffects(file: string): EffectLine[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.endsWith('}'))
    .map((l) => {
      const [key, node, ...rest] = l.split('|');
      return { key: key!, node: node!, args: rest.join('|') };
    });
}

export function lastJson(
  stdout: string,
): { status: string; output?: unknown; error?: { name: string } } | undefined {
  const line = stdout.trim().split('\n').at(-1);
  if (!line || line === 'READY') return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** Node instances the journal says finished, and compensations it says finished. */
export async function journalFacts(run: WorkerRun) {
  const store = new FileJournalStore(run.journalDir);
  const events = await store.read(run.runId);
  const state = foldEvents(events, run.runId);
  const finished = new Set<string>();
  for (const n of state.nodes.values())
    if (n.status === 'succeeded' || n.status === 'compensated' || n.status === 'compensating')
      finished.add(n.key);
  const compensated = new Set<string>();
  for (const e of events) if (e.type === 'compensation.finished' && e.ok) compensated.add(e.key);
  return { finished, compensated, status: state.status, events: events.length };
}

export interface TrialReport {
  plan: PlanName;
  processes: number;
  kills: number;
  resumes: number;
  /** Processes killed before the run's first event was durable, so started again. */
  restarts: number;
  /** Resume processes refused because another held the run's lease (concurrent trials). */
  leasedRefusals: number;
  finalStatus: string | undefined;
  outputEqual: boolean;
  /** Calls, after a kill, of a node instance the journal already had as finished. */
  duplicateFinished: number;
  /** Same node and arguments called under two different idempotency keys. */
  differentKeyRepeats: number;
  /** Calls repeated under the same key (in flight when killed): allowed, counted. */
  sameKeyRepeats: number;
  /** Saga: compensations applied more than once, or never. */
  compensationsAppliedTwice: number;
  compensationsMissing: number;
  effects: number;
  problems: string[];
}

export interface Baseline {
  status: string;
  output: unknown;
  error?: string | undefined;
  calls: number;
  ms: number;
}

export async function baselineOf(plan: PlanName): Promise<Baseline> {
  const run = newWorkerRun('base');
  const seg = await runWorker(run, 'start', plan);
  const r = lastJson(seg.stdout);
  if (!r) throw new Error(`baseline produced no result: ${seg.stderr}`);
  return {
    status: r.status,
    output: r.output,
    error: r.error?.name,
    calls: readEffects(run.effects).length,
    ms: seg.readyToExitMs,
  };
}

/**
 * One trial: kills at random moments (uniform over the uninterrupted run's length) until a
 * process finishes; the saga plan is killed while it compensates instead.
 */
export interface TrialOptions {
  /** Resume processes started at once after each interruption (1, or 2 to race the lease). */
  resumers?: 1 | 2;
  /** How a process is interrupted: SIGKILL (a crash) or SIGINT (Ctrl-C, sometimes twice). */
  signal?: 'SIGKILL' | 'SIGINT';
  /**
   * Work plan: interrupt once the process has made 1-4 more calls (then 0-10 ms later)
   * rather than at a random time. A time drawn from the uninterrupted run's length misses
   * when that baseline ran under other load than the trial (the trial ends unkilled, or
   * is killed before anything is durable and restarts), so tests kill by progress; the
   * bench keeps random times.
   */
  byProgress?: boolean;
}

export async function killTrial(
  plan: PlanName,
  base: Baseline,
  trial: number,
  random: () => number = Math.random,
  maxKills = 6,
  options: TrialOptions = {},
): Promise<TrialReport> {
  const run = newWorkerRun(`t${trial}-${plan}`);
  const problems: string[] = [];
  let kills = 0;
  let processes = 0;
  let restarts = 0;
  let resumes = 0;
  let leasedRefusals = 0;
  let duplicateFinished = 0;
  let final: ReturnType<typeof lastJson>;
  for (let round = 0; ; round++) {
    const before = await journalFacts(run);
    // Killed before `run.started` was written: nothing ran, so the run is started again.
    const mode = before.events === 0 ? 'start' : 'resume';
    if (processes > 0 && mode === 'start') restarts += 1;
    if (mode === 'resume') resumes += 1;
    const effectsBefore = readEffects(run.effects).length;
    const mayKill = kills < maxKills;
    let kill: Parameters<typeof runWorker>[3] = {};
    if (mayKill && plan === 'work' && options.byProgress) {
      const target = effectsBefore + 1 + Math.floor(random() * 4);
      kill = { when: (lines) => lines.length >= target, thenMs: random() * 10 };
    } else if (mayKill && plan === 'work') kill = { afterMs: random() * base.ms * 2 };
    if (mayKill && plan !== 'work') {
      // Killed while compensating: after the n-th refund call started, plus up to 40 ms.
      const target = 1 + Math.floor(random() * 4);
      const seen = effectsBefore;
      kill = {
        when: (lines) =>
          lines.slice(seen).filter((l) => l.node.startsWith('c') && l.args.includes('"id"'))
            .length >= target,
        thenMs: random() * 40,
      };
    }
    if (mayKill && options.signal === 'SIGINT') {
      kill.signal = 'SIGINT';
      if (random() < 0.5) kill.againMs = random() * 30;
    }
    const count = mode === 'resume' ? (options.resumers ?? 1) : 1;
    const segs = await Promise.all(
      Array.from({ length: count }, () => runWorker(run, mode, plan, kill)),
    );
    processes += segs.length;
    const results = segs.map((seg) => ({ seg, result: lastJson(seg.stdout) }));
    const refused = results.filter((r) => r.result?.status === 'leased');
    leasedRefusals += refused.length;
    const holder = results.find((r) => r.result?.status !== 'leased');
    if (!holder) {
      problems.push(`round ${round}: every process was refused the lease`);
      if (round > 20) break;
      continue;
    }
    const seg = holder.seg;
    // Every call made in this round to an instance already finished before it started.
    for (const l of readEffects(run.effects).slice(effectsBefore)) {
      const instance = l.key.slice(run.runId.length + 1);
      const isComp = instance.endsWith('/compensate');
      const was = isComp
        ? before.compensated.has(instance.slice(0, -'/compensate'.length))
        : before.finished.has(instance);
      if (was) duplicateFinished += 1;
    }
    if (seg.killed) {
      kills += 1;
      continue;
    }
    final = holder.result;
    // Ctrl-C: a cancelled result (or a second Ctrl-C's exit) leaves the run to resume.
    if (seg.interrupted && (!final || final.status === 'cancelled')) {
      kills += 1;
      continue;
    }
    if (!final)
      problems.push(
        `process ${processes} exited ${seg.exitCode} with no result: ${seg.stderr.slice(0, 300)}`,
      );
    const stderr = seg.stderr
      .split('\n')
      .filter((l) => l.trim() && !/^toolplan: (cancelling|compensating|stopping)/.test(l))
      .join('\n');
    if (stderr) problems.push(`stderr: ${stderr.slice(0, 300)}`);
    break;
  }

  const effects = readEffects(run.effects);
  const keysOf = new Map<string, Set<string>>();
  const perKey = new Map<string, number>();
  for (const l of effects) {
    const identity = `${l.node}|${l.args}`;
    if (!keysOf.has(identity)) keysOf.set(identity, new Set());
    keysOf.get(identity)!.add(l.key);
    perKey.set(l.key, (perKey.get(l.key) ?? 0) + 1);
  }
  const differentKeyRepeats = [...keysOf.values()].filter((s) => s.size > 1).length;
  const sameKeyRepeats = [...perKey.values()].reduce((n, c) => n + (c - 1), 0);
  if (new Set(effects.map((e) => e.key)).size !== base.calls)
    problems.push(`distinct calls ${new Set(effects.map((e) => e.key)).size} != ${base.calls}`);

  let compensationsAppliedTwice = 0;
  let compensationsMissing = 0;
  if (plan !== 'work') {
    let applied: string[] = [];
    try {
      applied = readFileSync(`${run.effects}.applied`, 'utf8').split('\n').filter(Boolean);
    } catch {}
    const counts = new Map<string, number>();
    for (const a of applied) counts.set(a, (counts.get(a) ?? 0) + 1);
    compensationsAppliedTwice = [...counts.values()].filter((n) => n > 1).length;
    compensationsMissing = 4 - counts.size;
  }
  const outputEqual =
    final?.status === base.status &&
    JSON.stringify(final?.output ?? null) === JSON.stringify(base.output ?? null) &&
    final?.error?.name === base.error;
  if (!outputEqual) problems.push(`result ${String(JSON.stringify(final)).slice(0, 300)} differs`);
  return {
    plan,
    processes,
    kills,
    resumes,
    restarts,
    leasedRefusals,
    finalStatus: final?.status,
    outputEqual,
    duplicateFinished,
    differentKeyRepeats,
    sameKeyRepeats,
    compensationsAppliedTwice,
    compensationsMissing,
    effects: effects.length,
    problems,
  };
}

/** A seeded generator (mulberry32), so a failing trial can be run again. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
