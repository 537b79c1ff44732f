// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
/**
 * Ctrl-C in `toolplan chat` while the plan a message runs compensates, over real child
 * processes and a replayed cassette (no key, no network): the same rule as `exec` and `run`.
 * One Ctrl-C lets the refunds finish and says so; a second stops them, leaves the run
 * resumable (with --journal), and `toolplan resume` finishes them, each once.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BIN,
  cleanEnv,
  lines,
  refunds,
  SAGA_TOOLS,
  sagaCassette,
  toolplanWithCtrlC,
} from './support/saga-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'toolplan-chat-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TOOLS = SAGA_TOOLS;
const toolplan = (args: string[], log: string, sigints = 0, stdin = '') =>
  toolplanWithCtrlC(dir, args, log, sigints, stdin);

function setUp(name: string) {
  const cassette = sagaCassette(dir, name);
  const journal = join(dir, `${name}-runs`);
  const log = join(dir, `${name}.log`);
  const args = ['chat', '--tools', TOOLS, '--cassette', cassette];
  return { args, journal, log };
}

describe('toolplan chat: Ctrl-C while the plan compensates', () => {
  it('one Ctrl-C lets the refunds finish and says so', async () => {
    const t = setUp('once');
    // Without --journal: the run is in memory, and the process must still wait for it.
    const r = await toolplan(t.args, t.log, 1, 'charge twice\n');
    expect(r.stderr).toContain('compensating 2 steps; Ctrl-C again to stop');
    expect(r.signal).toBeNull();
    // The cancelled message gets its reply, and the chat then leaves at end of input.
    expect(r.stdout).toContain('assistant> (failed:');
    expect(r.code).toBe(0);
    expect(refunds(t.log)).toEqual(['c1/compensate', 'c2/compensate']);
  }, 60_000);

  it('a second Ctrl-C stops them, the run stays resumable, and resume finishes them', async () => {
    const t = setUp('twice');
    const r = await toolplan([...t.args, '--journal', t.journal], t.log, 2, 'charge twice\n');
    expect(r.stderr).toContain('stopping the compensations');
    // Stopped, not killed: the process ended on its own, the journal flushed.
    expect(r.code).not.toBe(130);
    expect(refunds(t.log).length).toBeLessThan(2);
    const files = readdirSync(t.journal).filter((f) => f.endsWith('.jsonl'));
    expect(files).toHaveLength(1);
    const runId = files[0]!.replace(/\.jsonl$/, '');
    const journaled = lines(join(t.journal, files[0]!)).map((l) => JSON.parse(l).type);
    expect(journaled).not.toContain('run.finished');

    const resumed = await toolplan(
      ['resume', runId, '--journal', t.journal, '--tools', TOOLS],
      t.log,
    );
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(resumed.stderr).toContain('the downstream service refused');
    expect(refunds(t.log)).toEqual(['c1/compensate', 'c2/compensate']);
  }, 60_000);
});

/**
 * `toolplan chat` on a pseudo-terminal (`script`, util-linux): readline reads Ctrl-C as the
 * key ^C there, not as a signal. `keys` answers what the screen shows.
 */
function onTerminal(args: string[], log: string): Promise<{ code: number | null; screen: string }> {
  if (!existsSync('/usr/bin/script'))
    throw new Error('needs /usr/bin/script (Debian package bsdutils)');
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((done, fail) => {
    const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], {
      cwd: dir,
      env: cleanEnv({ TOOL_LOG: log, REFUND_MS: '400' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    let step = 0;
    child.stdout.on('data', (d) => {
      screen += d;
      if (step === 0 && screen.includes('you> ')) {
        step = 1;
        child.stdin.write('charge twice\r');
      }
      // Back at the prompt: ^C there leaves the chat.
      if (step === 2 && /assistant> [^\n]*\n[\s\S]*you> /.test(screen)) {
        step = 3;
        child.stdin.write('\x03');
      }
    });
    const poll = setInterval(() => {
      if (step !== 1 || !lines(log).some((l) => l.startsWith('refund-start|'))) return;
      step = 2;
      child.stdin.write('\x03');
    }, 5);
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(guard);
      clearInterval(poll);
      done({ code, screen });
    });
  });
}

describe('toolplan chat on a terminal: the ^C key while the plan compensates', () => {
  it('is the same Ctrl-C: the refunds finish and it says so; at the prompt ^C leaves', async () => {
    const t = setUp('tty');
    const r = await onTerminal(t.args, t.log);
    expect(r.screen).toContain('compensating 2 steps; Ctrl-C again to stop');
    expect(r.screen).toContain('assistant> (failed:');
    expect(r.code, r.screen).toBe(0);
    expect(refunds(t.log)).toEqual(['c1/compensate', 'c2/compensate']);
  }, 60_000);
});
