/**
 * Start-up time of `bin/toolplan`, from spawn to exit, for commands that load different
 * amounts of code (median of several runs, from a folder outside the repo).
 * Run: node --import tsx bench/startup.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'toolplan');
const RUNS = Number(process.env.RUNS ?? 7);
const commands = [
  ['--help'],
  ['validate', '--help'],
  ['exec', '--help'],
  ['eval', '--help'],
  ['run', '--help'],
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

console.log(`| command | median ms (${RUNS} runs) |\n| --- | ---: |`);
for (const args of commands) {
  spawnSync(process.execPath, [bin, ...args], { cwd: tmpdir() }); // warm the transpile cache
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmpdir(), encoding: 'utf8' });
    times.push(performance.now() - t0);
    if (r.status !== 0)
      throw new Error(`toolplan ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  console.log(`| \`toolplan ${args.join(' ')}\` | ${median(times).toFixed(0)} |`);
}
