import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The real command, as a user runs it.
const ENTRY = resolve(import.meta.dirname, '../../bin/toolplan');
const TOOLS = resolve(import.meta.dirname, '../support/exec-cli-tools.ts');

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [ENTRY, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function setup(plan: unknown) {
  const dir = mkdtempSync(join(tmpdir(), 'toolplan-cli-'));
  const file = join(dir, 'plan.json');
  writeFileSync(file, JSON.stringify(plan));
  return { dir, file, journal: join(dir, 'runs') };
}

const sumPlan = {
  version: 1,
  nodes: [
    { id: 'a', call: 'add', args: { a: '${input.x}', b: 2 } },
    { id: 'b', call: 'add', args: { a: '${a.sum}', b: 10 } },
  ],
  output: '${b.sum}',
};

describe('toolplan exec / resume / runs (real processes)', () => {
  it('exec: stdout holds only the output; progress on stderr; exit 0', () => {
    const { file, journal } = setup(sumPlan);
    const r = cli([
      'exec',
      file,
      '--tools',
      TOOLS,
      '--input',
      '{"x":1}',
      '--journal',
      journal,
      '--run-id',
      'r1',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toBe(13);
    expect(r.stderr).toMatch(/a succeeded/);
    const runs = cli(['runs', '--journal', journal]);
    expect(runs.stdout).toMatch(/^r1\s+succeeded/m);
    const show = cli(['runs', 'show', 'r1', '--journal', journal]);
    expect(show.stdout).toMatch(/run r1 started[\s\S]*b succeeded[\s\S]*run succeeded/);
  });

  it('--json writes NDJSON events on stdout, as run --json does', () => {
    const { file, journal } = setup(sumPlan);
    const r = cli([
      'exec',
      file,
      '--tools',
      TOOLS,
      '--input',
      '{"x":1}',
      '--journal',
      journal,
      '--json',
    ]);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events[0].type).toBe('run.started');
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded', output: 13 });
  });

  it('exit 1 on a failed run with name and message, no stack trace', () => {
    const { file, journal } = setup({
      version: 1,
      nodes: [{ id: 'x', call: 'explode', args: {} }],
    });
    const r = cli(['exec', file, '--tools', TOOLS, '--journal', journal]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/ToolError: kaboom \(node x\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exit 2 on an invalid plan, bad input or a missing tools module', () => {
    const bad = setup({ version: 1, nodes: [{ id: 'x', call: 'nope', args: {} }] });
    const r = cli(['exec', bad.file, '--tools', TOOLS, '--journal', bad.journal]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope/);
    const ok = setup(sumPlan);
    expect(
      cli(['exec', ok.file, '--tools', TOOLS, '--input', '{x', '--journal', ok.journal]).code,
    ).toBe(2);
    expect(cli(['exec', ok.file, '--tools', 'missing.ts', '--journal', ok.journal]).code).toBe(2);
  });

  it('exit 3 when suspended for approval; resume --approve finishes it, --deny fails it', () => {
    const plan = { version: 1, nodes: [{ id: 'go', call: 'launch', args: { target: 'moon' } }] };
    const { file, journal, dir } = setup(plan);
    const log = join(dir, 'launch.log');
    const r = cli(['exec', file, '--tools', TOOLS, '--journal', journal, '--run-id', 'ap'], {
      CLI_LOG: log,
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/toolplan resume ap .*--approve go/);
    const done = cli(['resume', 'ap', '--tools', TOOLS, '--journal', journal, '--approve', 'go'], {
      CLI_LOG: log,
    });
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toEqual({ go: { launched: 'moon' } });
    expect(readFileSync(log, 'utf8')).toBe('launch moon\n');
    cli(['exec', file, '--tools', TOOLS, '--journal', journal, '--run-id', 'ap2']);
    const denied = cli(['resume', 'ap2', '--tools', TOOLS, '--journal', journal, '--deny', 'go']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/ApprovalDenied/);
  });

  it('SIGINT cancels the run: the tool sees its signal abort, the journal says cancelled', async () => {
    const { file, journal } = setup({ version: 1, nodes: [{ id: 's', call: 'slow', args: {} }] });
    const child = spawn(
      process.execPath,
      [ENTRY, 'exec', file, '--tools', TOOLS, '--journal', journal, '--run-id', 'int'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && /s started/.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(code, stderr).toBe(1);
    expect(stderr).toContain('cancelling run int');
    expect(stderr).toContain('run int was cancelled');
    expect(stderr).toContain(`toolplan resume int --journal ${journal} --tools ${TOOLS}`);
    const runs = cli(['runs', '--journal', journal, '--json']);
    expect(JSON.parse(runs.stdout)[0]).toMatchObject({ id: 'int', status: 'cancelled' });
  });
});
