/**
 * Start-up of `bin/toolplan`, from spawn to exit, compiled (dist/, what `npm ci` and the
 * package run) against the TypeScript sources through tsx (TOOLPLAN_FROM_SOURCE=1, what
 * bin/toolplan ran before dist/ existed), side by side in one run: a ratio, since absolute
 * times on a shared machine are noise. Median of RUNS runs each, from a folder outside the
 * repository. Builds dist/ first (`npm run build`).
 * Run: node --import tsx bench/startup.bench.ts   (RUNS=7 by default)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = resolve(root, 'bin', 'toolplan');
const plan = resolve(root, 'evals', 'plans', 'spend.json');
const journal = resolve(tmpdir(), `toolplan-startup-${process.pid}`);
const RUNS = Number(process.env.RUNS ?? 7);

/** The bundled tools as each mode loads them: compiled JavaScript, or TypeScript via tsx. */
const tools = {
  compiled: resolve(root, 'dist/tools/index.js'),
  source: resolve(root, 'tools/index.ts'),
};
type Mode = keyof typeof tools;

const commands: Array<{ label: string; args: (mode: Mode) => string[] }> = [
  { label: '--help', args: () => ['--help'] },
  { label: 'validate spend.json', args: (m) => ['validate', plan, '--tools', tools[m]] },
  {
    label: 'exec spend.json',
    args: (m) => [
      ...['exec', plan, '--tools', tools[m], '--journal', journal],
      ...['--input', '{"user_ids":["u1","u2","u3"]}'],
    ],
  },
  {
    label: 'exec spend.json, a .ts tools module',
    args: () => [
      ...['exec', plan, '--tools', tools.source, '--journal', journal],
      ...['--input', '{"user_ids":["u1","u2","u3"]}'],
    ],
  },
  { label: 'run --help (loads the SDKs)', args: () => ['run', '--help'] },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(mode: Mode, args: string[]): number {
  const env = { ...process.env, TOOLPLAN_FROM_SOURCE: mode === 'source' ? '1' : '' };
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmpdir(), encoding: 'utf8', env });
  const ms = performance.now() - t0;
  if (r.status !== 0)
    throw new Error(`toolplan ${args.join(' ')} (${mode}) exited ${r.status}: ${r.stderr}`);
  return ms;
}

execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
console.log(
  `| command | compiled (dist/) | sources through tsx | ratio |\n| --- | ---: | ---: | ---: |`,
);
for (const c of commands) {
  const samples: Record<Mode, number[]> = { compiled: [], source: [] };
  for (const mode of ['compiled', 'source'] as const) time(mode, c.args(mode)); // warm caches
  // Interleaved, so that a burst of load on the machine hits both modes alike.
  for (let i = 0; i < RUNS; i++)
    for (const mode of ['compiled', 'source'] as const)
      samples[mode].push(time(mode, c.args(mode)));
  const compiled = median(samples.compiled);
  const source = median(samples.source);
  console.log(
    `| \`toolplan ${c.label}\` | ${compiled.toFixed(0)} ms | ${source.toFixed(0)} ms | ${(source / compiled).toFixed(2)}x |`,
  );
}
