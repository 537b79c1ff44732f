import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/toolplan');

/** Runs the real command in a child process, from a directory that is not the repository. */
async function toolplan(args: string[], env: NodeJS.ProcessEnv = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'toolplan-eval-cli-'));
  const childEnv = { PATH: process.env.PATH, HOME: cwd, TOOLPLAN_FROM_SOURCE: '1', ...env };
  try {
    const r = await run(process.execPath, [BIN, ...args], { cwd, env: childEnv, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr, cwd };
  } catch (error) {
    const e = error as { code?: number; stdout: string; stderr: string };
    return { code: e.code ?? -1, stdout: e.stdout, stderr: e.stderr, cwd };
  }
}

describe('toolplan eval', () => {
  it('runs the bundled cases offline, prints the table and writes the report', async () => {
    const r = await toolplan(['eval', '--bfcl-sample', '20']);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^case\s+pattern\s+wire\s+result\s+llm/m);
    for (const name of ['chain', 'fork-join', 'saga', 'react-weather', 'repair-invalid-plan']) {
      expect(r.stdout).toMatch(new RegExp(`^${name}\\s.*\\spass\\s`, 'm'));
    }
    expect(r.stdout).toMatch(/^total \(\d+\)\s+\d+ pass, 0 fail/m);
    expect(r.stdout).toMatch(/BFCL: 20\/20 \(100\.0%\)/);
    expect(r.stderr).toMatch(/\[\s*1\/\d+\] pass /);
    const report = join(r.cwd, '.toolplan/report.html');
    expect(r.stderr).toContain(`report: ${report}`);
    expect(readFileSync(report, 'utf8')).toContain('<svg class="graph"');
  });

  it('exits 1 when a case fails, and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'toolplan-eval-cases-'));
    cpSync(join(ROOT, 'evals/cases/chain'), join(dir, 'chain'), { recursive: true });
    const file = join(dir, 'chain/case.json');
    const spec = JSON.parse(readFileSync(file, 'utf8'));
    spec.expect.calls[0].args.user_id = ['u2'];
    writeFileSync(file, JSON.stringify(spec));
    const r = await toolplan(['eval', dir, '--json', '--no-report']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.failed).toBe(1);
    expect(out.cases[0].failures[0]).toMatch(
      /no call of get_user matched: get_user: argument "user_id" is "u1"/,
    );
    expect(r.stderr).toMatch(/FAIL chain/);
    expect(existsSync(join(r.cwd, '.toolplan/report.html'))).toBe(false);
  });

  it('a bad case.json stops the run with the file and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'toolplan-eval-cases-'));
    cpSync(join(ROOT, 'evals/cases/chain'), join(dir, 'chain'), { recursive: true });
    const file = join(dir, 'chain/case.json');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('"provider": "openai"', '"provider": "openia"'),
    );
    const r = await toolplan(['eval', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: field "provider"`);
  });

  it('--record without a key says so plainly and changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'toolplan-eval-cases-'));
    cpSync(join(ROOT, 'evals/cases/fork-join'), join(dir, 'fork-join'), { recursive: true });
    const before = readFileSync(join(dir, 'fork-join/cassette.json'), 'utf8');
    const r = await toolplan(['eval', dir, '--record']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--record calls the live provider, and ANTHROPIC_API_KEY is not set/);
    expect(r.stderr).toMatch(/nothing was recorded/);
    expect(readFileSync(join(dir, 'fork-join/cassette.json'), 'utf8')).toBe(before);
  });
});
