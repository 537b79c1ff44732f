/**
 * Runs every benchmark one after another (each in its own process, so none warms or loads
 * another) and prints their tables: what README's Benchmarks section is made from.
 * `npm run bench` (about 10 minutes on 2 cores), or `npm run bench -- validate exec-scheduler`.
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ALL = [
  'startup.bench.ts',
  'validate.bench.ts',
  'exec-scheduler.bench.ts',
  'exec-makespan.bench.ts',
  'exec-journal.bench.ts',
  'exec-map-memory.bench.ts',
  'peers.bench.ts',
  'loop.bench.ts',
  'serve.bench.ts',
  'kill-trials.ts',
];
const wanted = process.argv.slice(2);
const chosen = wanted.length ? ALL.filter((f) => wanted.some((w) => f.startsWith(w))) : ALL;
let failed = 0;
for (const file of chosen) {
  console.log(
    `\n### ${file}\n\n\`node --import tsx bench/${file}\` (${new Date().toISOString()})\n`,
  );
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', resolve(here, file)], {
    stdio: 'inherit',
  });
  console.log(`\n(${((performance.now() - t0) / 1000).toFixed(1)} s, exit ${r.status})`);
  if (r.status !== 0) failed += 1;
}
process.exitCode = failed ? 1 : 0;
