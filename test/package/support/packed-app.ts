import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

export interface PackedApp {
  /** A new npm project with the tarball installed, as a user installs it. */
  dir: string;
  tarball: string;
  /** The files the tarball holds, `package/` prefix removed. */
  files: string[];
}

interface LockEntry {
  dev?: boolean;
  [key: string]: unknown;
}

/**
 * Packs the project as `npm pack` does for a release and installs the tarball into a new
 * project, all in temp folders. The pack runs in a copy of the repository (its `prepare`
 * builds dist/ there, never in the repository tree). The install is `npm ci --offline`: its
 * lockfile is the tarball plus the repository's own lockfile entries for the runtime
 * dependencies, so npm takes every dependency from its cache, with no network.
 */
export async function packAndInstall(): Promise<PackedApp> {
  const work = mkdtempSync(join(tmpdir(), 'toolplan-pack-'));
  const copy = join(work, 'toolplan');
  mkdirSync(copy);
  for (const entry of readdirSync(repoRoot)) {
    if (['node_modules', 'dist', '.git', '.toolplan', 'coverage'].includes(entry)) continue;
    cpSync(join(repoRoot, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const packed = await run('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: copy,
    env: npmEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
  const info = JSON.parse(packed.stdout) as Array<{ filename: string; files: { path: string }[] }>;
  const tarball = join(work, info[0]!.filename);

  const dir = join(work, 'app');
  mkdirSync(dir);
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8'));
  const spec = `file:${tarball}`;
  const app = { name: 'app', version: '1.0.0', type: 'module', dependencies: { toolplan: spec } };
  const packages: Record<string, unknown> = {
    '': { name: 'app', version: '1.0.0', dependencies: { toolplan: spec } },
    'node_modules/toolplan': {
      version: pkg.version,
      resolved: spec,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages as Record<string, LockEntry>)) {
    if (path.startsWith('node_modules/') && !entry.dev) packages[path] = entry;
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify(app, null, 2));
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ ...app, lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd: dir,
    env: npmEnv(),
  });
  return { dir, tarball, files: info[0]!.files.map((f) => f.path) };
}

/** npm as a user runs it, without the test runner's variables leaking into the build. */
export function npmEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.TOOLPLAN_FROM_SOURCE;
  for (const key of Object.keys(env))
    if (key.startsWith('npm_') || key.startsWith('VITEST')) delete env[key];
  return env;
}

export function runIn(
  dir: string,
  command: string,
  args: string[],
): Promise<{ stdout: string; stderr: string }> {
  return run(command, args, {
    cwd: dir,
    env: npmEnv(),
    timeout: 110_000,
    maxBuffer: 16 * 1024 * 1024,
  });
}
