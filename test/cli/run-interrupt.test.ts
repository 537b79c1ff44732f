/**
 * Ctrl-C in `toolplan run` while the plan it runs compensates, over real child processes and
 * a replayed cassette (no key, no network): the same rule as `exec`. One Ctrl-C lets the
 * refunds finish and says so; a second stops them, leaves the run resumable, and
 * `toolplan resume` finishes them, each once.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lines, refunds, SAGA_TOOLS, sagaCassette, toolplanWithCtrlC } from './support/saga-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'toolplan-run-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TOOLS = SAGA_TOOLS;
const toolplan = (args: string[], log: string, sigints = 0, stdin = '') =>
  toolplanWithCtrlC(dir, args, log, sigints, stdin);

function setUp(name: string) {
  const cassette = sagaCassette(dir, name);
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
