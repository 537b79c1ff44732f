import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/exec/events.ts';
import { FileJournalStore } from '../../src/exec/file-journal-store.ts';
import { type CliResult, runCli } from '../support/run-cli.ts';

// The real command, as a user runs it: one process per exec or resume.
// Several real processes a test, each paying tsx's start-up: minutes on a loaded 2-core box.
const SLOW = { timeout: 180_000 };
const TOOLS = resolve(import.meta.dirname, '../support/lease-cli-tools.ts');
const OTHER_TOOLS = resolve(import.meta.dirname, '../support/exec-cli-tools.ts');

/** Runs the command; with `killWhen`, SIGKILLs it once the calls log satisfies it. */
function start(
  args: string[],
  log: string,
  killWhen?: (log: string) => boolean,
): Promise<CliResult> {
  let poll: NodeJS.Timeout | undefined;
  return runCli(args, {
    env: { LEASE_LOG: log },
    timeoutMs: 150_000,
    onSpawn: (child) => {
      if (!killWhen) return;
      poll = setInterval(() => {
        if (existsSync(log) && killWhen(readFileSync(log, 'utf8'))) child.kill('SIGKILL');
      }, 5);
      child.on('exit', () => clearInterval(poll));
    },
  });
}

function setup(plan: unknown) {
  const dir = mkdtempSync(join(tmpdir(), 'toolplan-lease-'));
  const file = join(dir, 'plan.json');
  writeFileSync(file, JSON.stringify(plan));
  return { dir, file, journal: join(dir, 'runs'), log: join(dir, 'calls.log') };
}

const lines = (log: string) => readFileSync(log, 'utf8').split('\n').filter(Boolean);

async function journalOf(dir: string, runId: string): Promise<RunEvent[]> {
  const store = new FileJournalStore(dir);
  // read() refuses duplicate or missing seqs, so a clean read is a contiguous journal.
  return store.read(runId);
}

/** `exec` of `plan` as run `runId`, SIGKILLed while b is in flight; its journal's path. */
async function killedWhileB(plan: unknown, runId: string) {
  const dirs = setup(plan);
  await start(
    ['exec', dirs.file, '--tools', TOOLS, '--journal', dirs.journal, '--run-id', runId],
    dirs.log,
    (t) => t.includes(`b ${runId}/b`),
  );
  return { ...dirs, path: join(dirs.journal, `${runId}.jsonl`) };
}

const chain = {
  version: 1,
  nodes: [
    { id: 'a', call: 'step', args: { name: 'a' } },
    { id: 'b', call: 'step', args: { name: 'b', ms: 1500 }, after: ['a'] },
    { id: 'c', call: 'step', args: { name: 'c' }, after: ['b'] },
  ],
  output: '${c.name}',
};

describe('one writer per run (real processes)', SLOW, () => {
  it('two `toolplan resume` at once on a killed run: one resumes, the other is refused', async () => {
    const { file, journal, log } = setup(chain);
    const killed = await start(
      ['exec', file, '--tools', TOOLS, '--journal', journal, '--run-id', 'k'],
      log,
      (text) => text.includes('b k/b'),
    );
    expect(killed.code).toBe(null);
    const resume = ['resume', 'k', '--tools', TOOLS, '--journal', journal];
    const both = await Promise.all([start(resume, log), start(resume, log)]);
    const codes = both.map((d) => d.code).sort();
    expect(codes, both.map((d) => d.stderr).join('\n---\n')).toEqual([0, 1]);
    const loser = both.find((d) => d.code === 1)!;
    expect(loser.stderr).toMatch(/run k is being resumed by pid \d+ on host \S+/);
    expect(both.find((d) => d.code === 0)!.stdout.trim()).toBe('"c"');
    // a finished before the kill; b was in flight and runs again once, with its key; c once.
    expect(lines(log)).toEqual(['a k/a', 'b k/b', 'b k/b', 'c k/c']);
    const events = await journalOf(journal, 'k');
    expect(events.filter((e) => e.type === 'run.finished')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'run.resumed')).toHaveLength(1);
    // A later resume and `runs` still work on it.
    const again = await start(resume, log);
    expect(again.code, again.stderr).toBe(0);
  });

  it('`resume --approve` and `resume --deny` at once: one decision, the tool runs only if it was approved', async () => {
    const { file, journal, log } = setup({
      version: 1,
      nodes: [{ id: 'pay', call: 'charge', args: { name: 'p', ms: 1500 } }],
    });
    const first = await start(
      ['exec', file, '--tools', TOOLS, '--journal', journal, '--run-id', 'ap'],
      log,
    );
    expect(first.code, first.stderr).toBe(3);
    const base = ['resume', 'ap', '--tools', TOOLS, '--journal', journal];
    const both = await Promise.all([
      start([...base, '--approve', 'pay'], log),
      start([...base, '--deny', 'pay'], log),
    ]);
    const events = await journalOf(journal, 'ap');
    const decisions = events.filter((e) => e.type === 'approval.decided');
    expect(decisions, both.map((d) => d.stderr).join('\n---\n')).toHaveLength(1);
    const approved = decisions[0]!.type === 'approval.decided' && decisions[0]!.approved;
    const calls = existsSync(log) ? lines(log) : [];
    expect(calls).toEqual(approved ? ['charge p ap/pay'] : []);
    expect(events.filter((e) => e.type === 'run.finished')).toHaveLength(1);
    const again = await start(base, log);
    expect(again.code, again.stderr).toBe(approved ? 0 : 1);
    expect(again.stderr).not.toMatch(/illegal transition/);
  });
});

describe('toolplan runs after a kill', SLOW, () => {
  it('shows a killed run as interrupted with the resume command, a live one as running by its holder', async () => {
    const slow = structuredClone(chain);
    slow.nodes[1]!.args.ms = 6000;
    const { file, journal, log } = setup(slow);
    await start(['exec', file, '--tools', TOOLS, '--journal', journal, '--run-id', 'i'], log, (t) =>
      t.includes('b i/b'),
    );
    const killed = await start(['runs', '--journal', journal], log);
    expect(killed.stdout.split('\n')[0]).toMatch(/^RUN\s+STATUS\s+STARTED\s+NODES$/);
    expect(killed.stdout).toMatch(/^i\s+interrupted\s/m);
    expect(killed.stdout).toContain(`continue: toolplan resume i --journal ${journal} --tools ...`);
    // While a resume runs (b takes 6 s), the lease says who holds the run.
    const resuming = start(['resume', 'i', '--tools', TOOLS, '--journal', journal], log);
    for (let t = 0; t < 400 && lines(log).length < 3; t++)
      await new Promise((r) => setTimeout(r, 10));
    const live = await start(['runs', '--journal', journal, '--json'], log);
    expect(JSON.parse(live.stdout)[0]).toMatchObject({
      id: 'i',
      status: 'running',
      holder: expect.stringMatching(/^pid \d+ on \S+ \(toolplan resume\)$/),
    });
    expect((await resuming).code).toBe(0);
    const done = await start(['runs', '--journal', journal], log);
    expect(done.stdout).toMatch(/^i\s+succeeded\s/m);
  });
});

describe(
  'resume refuses what it cannot continue safely, and leaves the run untouched',
  SLOW,
  () => {
    it('a damaged line in the middle of the journal: exit 2 naming the file, the line and what to do', async () => {
      const { journal, log, path } = await killedWhileB(chain, 'm');
      const text = readFileSync(path, 'utf8').split('\n');
      text[1] = `${text[1]!.slice(0, 20)}#garbage`;
      writeFileSync(path, text.join('\n'));
      const before = readFileSync(path, 'utf8');
      const r = await start(['resume', 'm', '--tools', TOOLS, '--journal', journal], log);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(path);
      expect(r.stderr).toMatch(/line 2\b/);
      expect(r.stderr).toMatch(/Restore the file from a backup|head -n 1/);
      expect(readFileSync(path, 'utf8')).toBe(before);
      expect(lines(log)).toEqual(['a m/a', 'b m/b']);
    });

    it('the wrong --tools module: usage error (exit 2), no event written; the right one then finishes it', async () => {
      const { journal, log, path } = await killedWhileB(chain, 'w');
      const before = readFileSync(path, 'utf8');
      const wrong = await start(['resume', 'w', '--tools', OTHER_TOOLS, '--journal', journal], log);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/step/);
      expect(wrong.stderr).toMatch(/pass the tools module the run was started with/);
      expect(readFileSync(path, 'utf8')).toBe(before);
      const right = await start(['resume', 'w', '--tools', TOOLS, '--journal', journal], log);
      expect(right.code, right.stderr).toBe(0);
      expect(right.stdout.trim()).toBe('"c"');
    });

    it('a journal from a newer toolplan: refused with the versions, untouched', async () => {
      const { journal, log, path } = await killedWhileB(chain, 'v');
      const text = readFileSync(path, 'utf8').replace('"v":1}', '"v":99}');
      expect(text).toContain('"v":99');
      writeFileSync(path, text);
      const r = await start(['resume', 'v', '--tools', TOOLS, '--journal', journal], log);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/format 99 by a newer toolplan; this one reads format 1/);
      expect(readFileSync(path, 'utf8')).toBe(text);
    });

    it('Infinity, -Infinity and NaN survive the journal: a resumed run computes what the live one did', async () => {
      const { file, journal, log } = setup({
        version: 1,
        nodes: [
          { id: 'inf', value: '${ 1.0 / 0.0 }' },
          { id: 'ninf', value: '${ -1.0 / 0.0 }' },
          { id: 'nan', value: '${ 0.0 / 0.0 }' },
          { id: 'pay', call: 'charge', args: { name: 'x' }, after: ['inf', 'ninf', 'nan'] },
        ],
        output:
          "${ [inf > 1000.0 ? 'big' : 'small', ninf < -1000.0 ? 'low' : 'high', nan == nan ? 'num' : 'nan'] }",
      });
      const live = await start(
        ['exec', file, '--tools', TOOLS, '--journal', journal, '--run-id', 'live', '--input', '{}'],
        log,
      );
      expect(live.code, live.stderr).toBe(3);
      const resumed = await start(
        ['resume', 'live', '--tools', TOOLS, '--journal', journal, '--approve', 'pay'],
        log,
      );
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout)).toEqual(['big', 'low', 'nan']);
    });
  },
);
