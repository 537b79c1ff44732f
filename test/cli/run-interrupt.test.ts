// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
/**
 * Ctrl-C in `toolplan run` while the plan it runs compensates, over real child processes and
 * a replayed cassette (no key, no network): the same rule as `exec`. One Ctrl-C lets the
 * refunds finish and says so; a second stops them, leaves the run resumable, and
 * `toolplan resume` finishes them, each once.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCassette, openaiInteraction } from '../../src/record/author.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/toolplan');
const TOOLS = join(ROOT, 'test/cli/support/saga-tools-module.ts');
const dir = mkdtempSync(join(tmpdir(), 'toolplan-run-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const charged = (id: string, amount: number, after?: string) => ({
  id,
  call: 'charge',
  args: { amount },
  ...(after ? { after: [after] } : {}),
  compensate: { call: 'refund', args: { id: `\${${id}.id}` } },
});
const plan = {
  version: 1,
  nodes: [
    charged('c1', 1),
    charged('c2', 2, 'c1'),
    { id: 'boom', after: ['c2'], call: 'fail', args: {} },
  ],
};

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (/^(OPENAI_|ANTHROPIC_|TOOLPLAN_)/.test(key) && key !== 'TOOLPLAN_FROM_SOURCE')
      delete env[key];
  return { ...env, ...extra };
}

const lines = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];

/** bin/toolplan as a child; Ctrl-C (`sigints` times, each answered first) once a refund has begun. */
function toolplan(
  args: string[],
  log: string,
  sigints = 0,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: cleanEnv({ TOOL_LOG: log, REFUND_MS: '400' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timers: NodeJS.Timeout[] = [];
    if (sigints > 0) {
      // Each later Ctrl-C only once the child has answered the one before: two signals sent
      // in one tick of a loaded machine reach it as one (Linux does not queue them).
      let sent = 0;
      const poll = setInterval(() => {
        if (!lines(log).some((l) => l.startsWith('refund-start|'))) return;
        if (
          sent > 0 &&
          (stderr.match(/toolplan: (cancelling|compensating|stopping)/g) ?? []).length < sent
        )
          return;
        child.kill('SIGINT');
        sent += 1;
        if (sent >= sigints) clearInterval(poll);
      }, 5);
      timers.push(poll);
    }
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      for (const t of timers) clearTimeout(t);
      done({ code, signal, stdout, stderr });
    });
  });
}

function setUp(name: string) {
  const cassette = join(dir, `${name}.json`);
  writeFileSync(
    cassette,
    JSON.stringify(
      createCassette([
        openaiInteraction({ stream: true, toolCalls: [{ name: 'submit_plan', args: plan }] }),
        openaiInteraction({ stream: true, text: 'The charges were refunded.' }),
      ]),
    ),
  );
  const journal = join(dir, `${name}-runs`);
  const log = join(dir, `${name}.log`);
  const args = [
    'run',
    'charge twice',
    '--tools',
    TOOLS,
    '--cassette',
    cassette,
    '--journal',
    journal,
  ];
  return { args, journal, log };
}

/** Refunds applied, by idempotency key; each key must be applied once. */
function refunds(log: string): string[] {
  const applied = lines(log).filter((l) => l.startsWith('refund|'));
  expect(new Set(applied).size).toBe(applied.length);
  return applied.map((l) => l.split('|')[1]!.replace(/^[^/]+\//, '')).sort();
}

describe('toolplan run: Ctrl-C while the plan compensates', () => {
  it('one Ctrl-C lets the refunds finish and says so', async () => {
    const t = setUp('once');
    const r = await toolplan(t.args, t.log, 1);
    expect(r.stderr).toContain('compensating 2 steps; Ctrl-C again to stop');
    expect(r.signal).toBeNull();
    expect(refunds(t.log)).toEqual(['c1/compensate', 'c2/compensate']);
  }, 60_000);

  it('a second Ctrl-C stops them, the run stays resumable, and resume finishes them', async () => {
    const t = setUp('twice');
    const r = await toolplan(t.args, t.log, 2);
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
