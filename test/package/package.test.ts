import { spawn } from 'node:child_process';
import { cpSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmEnv, type PackedApp, packAndInstall, repoRoot, runIn } from './support/packed-app.ts';

const consumer = join(import.meta.dirname, 'consumer');
let app: PackedApp;

beforeAll(async () => {
  app = await packAndInstall();
  cpSync(consumer, app.dir, { recursive: true });
  // The TypeScript consumer needs Node's types, as any NodeNext program has them.
  symlinkSync(join(repoRoot, 'node_modules', '@types'), join(app.dir, 'node_modules', '@types'));
}, 300_000);

afterAll(() => {
  if (app) rmSync(dirname(app.dir), { recursive: true, force: true });
});

describe('the npm package, installed from its tarball into a new project', () => {
  it('ships compiled JavaScript with types and source maps, and no tests', () => {
    expect(app.files).toContain('dist/src/index.js');
    expect(app.files).toContain('dist/src/index.d.ts');
    expect(app.files).toContain('dist/src/index.js.map');
    expect(app.files).toContain('dist/src/testing/index.js');
    expect(app.files).toContain('dist/tools/index.d.ts');
    expect(app.files).toContain('evals/data/bfcl/LICENSE');
    expect(app.files).toContain('docs/plan-format.md');
    expect(app.files.filter((f) => f.startsWith('test/'))).toEqual([]);
  });

  it('imports with plain node, validates and executes a plan, and runs a task with the scripted model', async () => {
    const { stdout } = await runIn(app.dir, process.execPath, ['main.mjs']);
    expect(stdout).toContain('valid: true []');
    expect(stdout).toContain('exec: succeeded A1 and B2 cost 15.5 dollars');
    expect(stdout).toContain('task: answered A1 and B2 cost 15.5 dollars');
  }, 120_000);

  it('runs `npx toolplan --help` from the compiled bin', async () => {
    const { stdout } = await runIn(app.dir, 'npx', ['--offline', 'toolplan', '--help']);
    expect(stdout).toContain('Usage: toolplan');
    expect(stdout).toContain('exec');
  }, 120_000);

  it('runs a plan with `toolplan exec` and the bundled tools, compiled, and a .ts tools module through tsx on demand', async () => {
    const bin = join(app.dir, 'node_modules', '.bin', 'toolplan');
    const plan = join(app.dir, 'node_modules', 'toolplan', 'evals', 'plans', 'spend.json');
    const input = '{"user_ids":["u1","u2","u3"]}';
    const js = await runIn(app.dir, bin, [
      ...['exec', plan, '--input', input, '--journal', join(app.dir, 'runs')],
      ...['--tools', 'node_modules/toolplan/dist/tools/index.js'],
    ]);
    expect(JSON.parse(js.stdout).total).toBe(1199.52);
    const ts = await runIn(app.dir, bin, [
      ...['exec', plan, '--input', input, '--journal', join(app.dir, 'runs')],
      ...['--tools', 'node_modules/toolplan/tools/index.ts'],
    ]);
    expect(JSON.parse(ts.stdout).total).toBe(1199.52);
  }, 120_000);

  it('serves the web console from the compiled `toolplan serve` (its files read from the shipped src/console)', async () => {
    const bin = join(app.dir, 'node_modules', '.bin', 'toolplan');
    const child = spawn(
      bin,
      [
        ...['serve', '--port', '0', '--journal', join(app.dir, 'serve-runs')],
        ...['--tools', 'node_modules/toolplan/dist/tools/index.js'],
      ],
      { cwd: app.dir, env: { ...npmEnv(), TOOLPLAN_TOKEN: 'package-token' } },
    );
    let err = '';
    child.stdout.resume();
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const base = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start:\n${err}`)), 60_000);
        child.stderr.on('data', (d) => {
          err += d;
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
          if (m?.[1]) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        void exited.then((code) => reject(new Error(`serve exited ${code}:\n${err}`)));
      });
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');
      const script = await fetch(`${base}/console/app.js`);
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toContain('javascript');
      const tools = await fetch(`${base}/v1/tools`, {
        headers: { authorization: 'Bearer package-token' },
      });
      expect(((await tools.json()) as unknown[]).length).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 120_000);

  it('type-checks a strict NodeNext TypeScript consumer against the shipped .d.ts', async () => {
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await runIn(app.dir, process.execPath, [tsc, '-p', 'tsconfig.json']).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout, failed: true }),
    );
    expect(result.stdout).toBe('');
  }, 120_000);

  it("is README's library example, word for word", () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const example = readFileSync(join(consumer, 'main.mjs'), 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('// biome-ignore'))
      .join('\n')
      .trim();
    expect(readme).toContain(example);
  });
});
