import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// On a terminal, exec asks for approval in place. `script` (util-linux) gives the command a
// real pseudo-terminal, so this runs the same code path a person at a shell does.
const repo = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'toolplan-tty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const plan = join(dir, 'plan.json');
writeFileSync(
  plan,
  JSON.stringify({
    version: 1,
    nodes: [
      {
        id: 'mail',
        call: 'send_email',
        args: { to: 'grace@example.com', subject: 'hi', body: 'shipped' },
      },
    ],
  }),
);

function onTerminal(
  answer: string,
  runId: string,
): Promise<{ code: number | null; screen: string }> {
  if (!existsSync('/usr/bin/script'))
    throw new Error('needs /usr/bin/script (Debian package bsdutils)');
  const command = [
    process.execPath,
    join(repo, 'bin', 'toolplan'),
    'exec',
    plan,
    '--tools',
    join(repo, 'tools', 'index.ts'),
    '--journal',
    join(dir, 'runs'),
    '--run-id',
    runId,
  ]
    .map((a) => `'${a}'`)
    .join(' ');
  return new Promise((res) => {
    const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], {
      cwd: repo,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    let answered = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d) => {
      screen += d;
      if (!answered && /\[y\/N\]/.test(screen)) {
        answered = true;
        child.stdin.write(`${answer}\n`);
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, screen });
    });
  });
}

describe('exec on a terminal', () => {
  it('asks before an approval-gated call and runs it on "y"', async () => {
    const { code, screen } = await onTerminal('y', 'tty-yes');
    expect(screen).toMatch(/approve mail: call send_email/);
    expect(code, screen).toBe(0);
    expect(screen).toMatch(/"status": "sent"/);
  });

  it('denies on "n": the run fails with ApprovalDenied and nothing is sent', async () => {
    const { code, screen } = await onTerminal('n', 'tty-no');
    expect(code, screen).toBe(1);
    expect(screen).toMatch(/ApprovalDenied/);
    expect(screen).not.toMatch(/"status": "sent"/);
  });
});
