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
const fallbackPlan = join(dir, 'fallback-plan.json');
writeFileSync(
  fallbackPlan,
  JSON.stringify({
    version: 1,
    nodes: [
      {
        id: 'x',
        call: 'always_fails',
        args: {},
        fallback: [{ call: 'delete_everything', args: { reason: 'test' } }],
      },
    ],
    output: '${x}',
  }),
);
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
  planFile = plan,
): Promise<{ code: number | null; screen: string }> {
  if (!existsSync('/usr/bin/script'))
    throw new Error('needs /usr/bin/script (Debian package bsdutils)');
  const command = [
    process.execPath,
    join(repo, 'bin', 'toolplan'),
    'exec',
    planFile,
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

/**
 * The live view's status lines, as drawn: each drawing starts with a carriage return and a
 * clear-line, and runs to the next carriage return or newline.
 */
function statusLines(screen: string): string[] {
  return screen
    .split(/[\r\n]+/)
    .map((l) => l.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim())
    .filter((l) => /^run \S+ \| running \d+ \| done \d+ \|/.test(l));
}

/** What was drawn after the person answered the question. */
function afterAnswer(screen: string): string {
  const at = screen.search(/\[y\/N\]/);
  expect(at, screen).toBeGreaterThan(0);
  return screen.slice(at);
}

describe('exec on a terminal', () => {
  it('asks before an approval-gated call and runs it on "y"', async () => {
    const { code, screen } = await onTerminal('y', 'tty-yes');
    expect(screen).toMatch(/approve mail: call send_email/);
    expect(code, screen).toBe(0);
    expect(screen).toMatch(/"status": "sent"/);
    // The live line follows the decision, and its last drawing has the final counts.
    const after = statusLines(afterAnswer(screen));
    expect(after.length, screen).toBeGreaterThan(0);
    for (const line of after) expect(line, screen).toMatch(/\| waiting 0\b/);
    expect(after.at(-1), screen).toBe(
      'run tty-yes | running 0 | done 1 | failed 0 | skipped 0 | waiting 0',
    );
  });

  it('denies on "n": the run fails with ApprovalDenied and nothing is sent', async () => {
    const { code, screen } = await onTerminal('n', 'tty-no');
    expect(code, screen).toBe(1);
    expect(screen).toMatch(/ApprovalDenied/);
    expect(screen).not.toMatch(/"status": "sent"/);
    const after = statusLines(afterAnswer(screen));
    for (const line of after) expect(line, screen).toMatch(/\| waiting 0\b/);
    expect(after.at(-1), screen).toBe(
      'run tty-no | running 0 | done 0 | failed 1 | skipped 0 | waiting 0',
    );
  });

  it('a fallback alternative that needs approval: asked under its own key; the run ends with one node done', async () => {
    const { code, screen } = await onTerminal('y', 'tty-fallback', fallbackPlan);
    expect(screen).toMatch(/approve x\/fallback\/0: call delete_everything/);
    expect(code, screen).toBe(0);
    expect(screen).toMatch(/"deleted": true/);
    const after = statusLines(afterAnswer(screen));
    for (const line of after) expect(line, screen).toMatch(/\| waiting 0\b/);
    expect(after.at(-1), screen).toBe(
      'run tty-fallback | running 0 | done 1 | failed 0 | skipped 0 | waiting 0',
    );
  });
});
