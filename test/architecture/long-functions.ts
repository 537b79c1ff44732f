import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Functions longer than a number of lines, found by biome's parser (its
 * `noExcessiveLinesPerFunction` rule, with a low threshold so that it reports candidates)
 * and measured as the whole span from the first line to the closing brace, comments and
 * blank lines included. `node --import tsx test/architecture/long-functions.ts [dir] [max]`
 * prints them.
 */
export interface LongFunction {
  file: string;
  line: number;
  lines: number;
}

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const BIOME = join(REPO, 'node_modules/.bin/biome');
// Biome counts fewer lines than the span (it skips comments): candidates start well below.
const CANDIDATE_LINES = 30;

export function longFunctions(dir: string, maxLines: number): LongFunction[] {
  const config = mkdtempSync(join(tmpdir(), 'toolplan-fn-lines-'));
  try {
    writeFileSync(join(config, 'biome.json'), JSON.stringify(biomeConfig()));
    const report = runBiome(config, dir);
    const found: LongFunction[] = [];
    for (const m of report.matchAll(/file=([^,]+),line=(\d+),endLine=(\d+)/g)) {
      const lines = Number(m[3]) - Number(m[2]) + 1;
      if (lines > maxLines)
        found.push({
          file: relative(REPO, m[1]!).split('\\').join('/'),
          line: Number(m[2]),
          lines,
        });
    }
    return found.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
}

function biomeConfig() {
  const options = { maxLines: CANDIDATE_LINES, skipBlankLines: false, skipIifes: false };
  return {
    files: { includes: ['**/*.ts', '**/*.js'] },
    linter: {
      enabled: true,
      rules: {
        preset: 'none',
        complexity: { noExcessiveLinesPerFunction: { level: 'error', options } },
      },
    },
  };
}

/** Biome exits 1 when it reports anything: its report is the output either way. */
function runBiome(config: string, dir: string): string {
  const args = ['lint', `--config-path=${config}`, '--max-diagnostics=none', '--reporter=github'];
  try {
    return execFileSync(BIOME, [...args, dir], { cwd: REPO, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const out = (error as { stdout?: unknown }).stdout;
    if (typeof out === 'string' && out.includes('::')) return out;
    throw error;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? 'src';
  const max = Number(process.argv[3] ?? 80);
  for (const f of longFunctions(join(REPO, dir), max))
    console.log(`${f.lines}\t${f.file}:${f.line}`);
}
