import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH_TOOLS = resolve(root, 'bench', 'support', 'distributed-tools.ts');
const entry = resolve(root, 'bin', 'toolplan');

export interface BenchProc {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
  ready: Promise<void>;
}

/** `bin/toolplan ARGS`, ready when stderr matches `ready`. */
export function spawnToolplan(
  args: string[],
  ready: RegExp,
  env: Record<string, string> = {},
): BenchProc {
  const child = spawn(process.execPath, [entry, ...args], {
    cwd: root,
    env: { ...process.env, TOOLPLAN_DEBUG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  const exited = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  const isReady = new Promise<void>((res, rej) => {
    child.stderr!.on('data', (d) => {
      err += d;
      if (ready.test(err)) res();
    });
    child.stdout!.resume();
    void exited.then((c) => rej(new Error(`toolplan ${args[0]} exited ${c}: ${err.slice(-800)}`)));
  });
  isReady.catch(() => {});
  return { child, stderr: () => err, exited, ready: isReady };
}

export function startWorker(
  url: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): BenchProc {
  return spawnToolplan(
    ['worker', '--tools', BENCH_TOOLS, '--redis', url, ...extra],
    /serving/,
    env,
  );
}

export async function stopAll(procs: BenchProc[]): Promise<void> {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => p.exited));
}

/** CPU time (user + system) a live process has used, in ms, from /proc (Linux). */
export function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}
