import { cpSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PackedApp, packAndInstall, repoRoot, runIn } from './support/packed-app.ts';

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
