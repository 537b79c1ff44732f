import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../../src/redis/redis-connection.ts';
import { RedisJournalStore } from '../../../src/redis/redis-journal-store.ts';
import { RedisServerProcess } from '../../../src/redis/redis-server-process.ts';
import { repoRoot } from '../../support/run-cli.ts';

const entry = resolve(repoRoot, 'bin', 'toolplan');
export const REMOTE_TOOLS = resolve(repoRoot, 'test', 'redis', 'support', 'remote-tools.ts');

/** A child `bin/toolplan` whose output a test can wait on. */
export class Proc {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  readonly #listeners = new Set<() => void>();

  /** `node bin/toolplan ARGS`, or `node NODE_ARGS` when `nodeArgs` is given. */
  constructor(args: string[], env: Record<string, string>, nodeArgs?: string[]) {
    this.child = spawn(process.execPath, nodeArgs ?? [entry, ...args], {
      cwd: repoRoot,
      env: { ...process.env, TOOLPLAN_DEBUG: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d) => {
      this.stdout += d;
      for (const l of this.#listeners) l();
    });
    this.child.stderr!.on('data', (d) => {
      this.stderr += d;
      for (const l of this.#listeners) l();
    });
    this.exited = new Promise((r) => this.child.on('close', (code) => r(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves when stderr (or stdout) matches; rejects after `ms` with what it printed. */
  waitFor(pattern: RegExp, ms = 30_000): Promise<void> {
    return new Promise((resolvePromise, reject) => {
      const check = () => {
        if (pattern.test(this.stderr) || pattern.test(this.stdout)) {
          this.#listeners.delete(check);
          clearTimeout(timer);
          resolvePromise();
        }
      };
      const timer = setTimeout(() => {
        this.#listeners.delete(check);
        reject(new Error(`no ${pattern} within ${ms} ms; stderr:\n${this.stderr.slice(-2000)}`));
      }, ms);
      this.#listeners.add(check);
      check();
    });
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

/** Call counts from every process's `calls.log` lines, per idempotency key. */
export interface CallLog {
  started: Map<string, number>;
  finished: Map<string, number>;
  lines: string[][];
}

/**
 * A real Redis, real worker and coordinator processes, and a marks dir the tools write to.
 * Everything started is stopped by `stop`.
 */
export class Fleet {
  readonly redis: RedisServerProcess;
  readonly dir: string;
  readonly #procs: Proc[] = [];
  readonly #conns: Redis[] = [];

  private constructor(redis: RedisServerProcess, dir: string) {
    this.redis = redis;
    this.dir = dir;
  }

  static async start(): Promise<Fleet> {
    return new Fleet(
      await RedisServerProcess.start(),
      mkdtempSync(join(tmpdir(), 'toolplan-fleet-')),
    );
  }

  get url(): string {
    return this.redis.url;
  }

  spawn(args: string[]): Proc {
    const p = new Proc(args, { TOOLPLAN_MARKS: this.dir, TOOLPLAN_REDIS_LEASE_MS: '2000' });
    this.#procs.push(p);
    return p;
  }

  /** A worker with a job lock of `lockMs` and an execution claim of `claimMs`. */
  async claimWorker(lockMs: number, claimMs: number): Promise<Proc> {
    const script = resolve(repoRoot, 'test', 'redis', 'support', 'claim-worker.ts');
    const p = new Proc([], { TOOLPLAN_MARKS: this.dir }, [
      '--import',
      'tsx',
      script,
      this.url,
      String(lockMs),
      String(claimMs),
    ]);
    this.#procs.push(p);
    await p.waitFor(/claim worker: serving/);
    return p;
  }

  async worker(extra: string[] = []): Promise<Proc> {
    const p = this.spawn([
      'worker',
      '--tools',
      REMOTE_TOOLS,
      '--redis',
      this.url,
      // Long enough that a live worker starved of CPU (this machine is shared) keeps its
      // locks; short enough that a killed one's calls come back within the test.
      '--lock-ms',
      '4000',
      ...extra,
    ]);
    await p.waitFor(/toolplan worker: serving/);
    return p;
  }

  async coordinator(extra: string[] = []): Promise<Proc> {
    const p = this.spawn([
      'coordinator',
      '--tools',
      REMOTE_TOOLS,
      '--redis',
      this.url,
      // A renewal (every third of the lease) late by more than two thirds hands the run to
      // another coordinator: 4 s keeps a CPU-starved live owner its runs on this shared machine.
      '--lease-ms',
      '4000',
      '--poll-ms',
      '300',
      ...extra,
    ]);
    await p.waitFor(/toolplan coordinator .*: watching/);
    return p;
  }

  exec(plan: unknown, input: unknown, runId: string, extra: string[] = []): Proc {
    const file = join(this.dir, `${runId}.plan.json`);
    writeFileSync(file, JSON.stringify(plan));
    return this.spawn([
      'exec',
      file,
      '--tools',
      REMOTE_TOOLS,
      '--redis',
      this.url,
      '--input',
      JSON.stringify(input),
      '--run-id',
      runId,
      ...extra,
    ]);
  }

  calls(): CallLog {
    const file = join(this.dir, 'calls.log');
    const lines = existsSync(file)
      ? readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(' '))
      : [];
    const started = new Map<string, number>();
    const finished = new Map<string, number>();
    for (const [what, key] of lines) {
      const m = what === 'finish' ? finished : what === 'start' ? started : undefined;
      m?.set(key!, (m.get(key!) ?? 0) + 1);
    }
    return { started, finished, lines };
  }

  store(): RedisJournalStore {
    return new RedisJournalStore(this.client());
  }

  /** A plain connection to the fleet's Redis, closed by `stop`. */
  client(): Redis {
    const r = connectRedis(this.url, 'toolplan-test');
    this.#conns.push(r);
    return r;
  }

  async stop(): Promise<void> {
    for (const p of this.#procs) p.kill('SIGKILL');
    await Promise.all(this.#procs.map((p) => p.exited));
    for (const c of this.#conns) c.disconnect();
    await this.redis.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A fan-out of `n` slow_square calls and its expected output. */
export function fanOutPlan(n: number, ms: number) {
  const plan = {
    version: 1,
    nodes: [
      {
        id: 'sq',
        map: '${input.ns}',
        as: 'x',
        concurrency: n,
        do: [{ id: 's', call: 'slow_square', args: { n: '${x}', ms } }],
      },
    ],
    output: "${ {'sum': sum(sq.map(r, r.sq)), 'count': size(sq)} }",
  };
  const ns = Array.from({ length: n }, (_, i) => i + 1);
  return { plan, input: { ns }, expected: { sum: ns.reduce((a, x) => a + x * x, 0), count: n } };
}
