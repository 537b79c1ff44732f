// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { executePlan, FileJournalStore, resumeRun } from '../../src/exec/index.ts';
import { ToolRegistry } from '../../src/tool/registry.ts';
import { validatePlan } from '../../src/validate/index.ts';
import {
  CATASTROPHIC_REGEX,
  deepArray,
  nestedMaps,
  scanInLoops,
  sharedBinds,
} from '../expr/support/hostile.ts';
import { repoRoot, runCli } from '../support/run-cli.ts';

/**
 * Issue 10 items 1-4 end to end: the plans the adversarial review wrote, run with a file
 * journal. Each ends (never hangs, never dies untyped), is journaled from run.started to
 * run.finished, and resumes to the same outcome; the validator refuses what it can see.
 */

const dir = mkdtempSync(join(tmpdir(), 'toolplan-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tools = new ToolRegistry();
const ENTRY = join(repoRoot, 'bin', 'toolplan');

function planOf(value: unknown) {
  return {
    version: 1,
    limits: { deadline_ms: 1000 },
    nodes: [{ id: 'v', value, timeout_ms: 1000 }],
  };
}

const CASES = [
  ['a catastrophic matches() (item 1)', `\${${CATASTROPHIC_REGEX}}`, undefined],
  ['nine nested maps (item 2)', `\${${nestedMaps()}}`, 'comprehension_too_nested'],
  [
    'nested cel.bind lists sharing references (item 3)',
    `\${${sharedBinds()}}`,
    'expression_too_costly',
  ],
  ['a 50,000-deep array literal (item 4)', deepArray(), 'value_too_deep'],
] as const;

describe('hostile expressions in a run', () => {
  it.each(CASES)('%s: the validator says so', (_name, value, code) => {
    const r = validatePlan(planOf(value), tools);
    if (code === undefined) expect(r.issues).toEqual([]);
    else expect(r.issues.map((i) => i.code)).toContain(code);
    expect(r.valid).toBe(code === undefined);
  });

  it.each(CASES.filter((c) => !Array.isArray(c[1])))(
    '%s: ends typed, journaled and resumable',
    async (name, value, code) => {
      const store = new FileJournalStore(dir);
      const runId = `hostile-${CASES.findIndex((c) => c[0] === name)}`;
      const result = await executePlan(planOf(value), { tools, store, runId });
      if (code === undefined) {
        // RE2 answers at once; nothing to refuse.
        expect(result).toMatchObject({ status: 'succeeded', output: { v: false } });
      } else {
        expect(result.status).toBe('failed');
        const error = (result as { error: { name: string; code: string } }).error;
        expect(error).toMatchObject({ name: 'ExpressionError', code: 'budget', node: 'v' });
      }
      await expectJournaledAndResumable(store, runId, result, code !== undefined);
    },
    30_000,
  );

  it('a 50,000-deep array literal (item 4) is refused typed before it is a run: nothing journaled', async () => {
    const store = new FileJournalStore(dir);
    const result = await executePlan(planOf(deepArray()), { tools, store, runId: 'hostile-deep' });
    expect(result.status).toBe('failed');
    expect((result as { error: { code: string } }).error).toMatchObject({
      name: 'ConfigError',
      code: 'invalid_plan',
    });
    expect(await store.read('hostile-deep')).toEqual([]);
  });

  it('a literal past the value depth but short of the plan limit fails its node with budget, journaled and resumable', async () => {
    const store = new FileJournalStore(dir);
    const result = await executePlan(planOf(deepArray(100)), {
      tools,
      store,
      runId: 'hostile-deep-100',
    });
    expect(result.status).toBe('failed');
    expect((result as { error: unknown }).error).toMatchObject({
      name: 'ExpressionError',
      code: 'budget',
      node: 'v',
    });
    await expectJournaledAndResumable(store, 'hostile-deep-100', result, true);
  });

  it('a budget error is an ordinary node failure: a try catches it and the run goes on', async () => {
    const result = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 't',
            try: [{ id: 'v', value: `\${${nestedMaps()}}` }],
            catch: [{ id: 'fallback', value: '${error.name + ": " + error.message}' }],
          },
          { id: 'after', value: '${1 + 1}', after: ['t'] },
        ],
      },
      { tools },
    );
    expect(result).toMatchObject({ status: 'succeeded' });
    expect((result as { output: Record<string, unknown> }).output).toMatchObject({ after: 2 });
  }, 30_000);
});

describe('hostile expressions through `toolplan exec`', () => {
  function planFile(value: unknown): { file: string; journal: string } {
    const at = mkdtempSync(join(dir, 'cli-'));
    const file = join(at, 'plan.json');
    // JSON.stringify overflows on the 50,000-deep literal: that plan's text is written out.
    const depth = Array.isArray(value) ? 50_000 : 0;
    const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const text = JSON.stringify(planOf(depth ? 'DEEP' : value)).replace('"DEEP"', deep);
    writeFileSync(file, text);
    return { file, journal: join(at, 'journal') };
  }

  it('the catastrophic matches() (item 1) runs to its answer and exits 0', async () => {
    const { file, journal } = planFile(`\${${CATASTROPHIC_REGEX}}`);
    const r = await runCli(['exec', file, '--journal', journal]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ v: false });
  });

  it.each(CASES.slice(1))('%s: refused before anything runs, exit 2', async (_n, value, code) => {
    const { file, journal } = planFile(value);
    const r = await runCli(['exec', file, '--journal', journal]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(code);
    expect(r.stderr).toContain('nothing was run');
    expect(r.stderr).not.toMatch(/RangeError|Maximum call stack/);
  });

  it('Ctrl-C during a run of costly expressions cancels it; the journal says cancelled', async () => {
    // The validator cannot see this one's cost (1,000 steps, each a 100,000-item scan): each
    // evaluation ends on its time budget, caught, 100 times over. SIGINT is handled between
    // two evaluations, as the budget bounds each.
    const at = mkdtempSync(join(dir, 'sigint-'));
    const file = join(at, 'plan.json');
    const journal = join(at, 'journal');
    const body = {
      id: 't',
      try: [{ id: 'v', value: `\${${scanInLoops()}}` }],
      catch: [{ id: 'c', value: 0 }],
    };
    const plan = {
      version: 1,
      nodes: [{ id: 'm', map: '${input.items}', concurrency: 1, do: [body] }],
    };
    writeFileSync(file, JSON.stringify(plan));
    const items = JSON.stringify({ items: Array.from({ length: 100 }, (_, i) => i) });
    const child = spawn(
      process.execPath,
      [ENTRY, 'exec', file, '--journal', journal, '--run-id', 'int', '--input', items],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && /v\/0 failed/.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(code, stderr).toBe(1);
    expect(stderr).toMatch(/Cancelled/);
    const runs = await runCli(['runs', '--journal', journal, '--json']);
    expect(JSON.parse(runs.stdout)[0]).toMatchObject({ id: 'int', status: 'cancelled' });
  }, 60_000);
});

async function expectJournaledAndResumable(
  store: FileJournalStore,
  runId: string,
  result: Awaited<ReturnType<typeof executePlan>>,
  failed: boolean,
): Promise<void> {
  const events = await store.read(runId);
  const types = events.map((e) => e.type);
  expect(types[0]).toBe('run.started');
  expect(types.at(-1)).toBe('run.finished');
  if (failed) {
    const node = events.find((e) => e.type === 'node.failed') as
      | { error: { code: string } }
      | undefined;
    expect(node?.error.code).toBe('budget');
  }
  const again = await resumeRun(runId, { tools, store });
  expect(again.status).toBe(result.status);
  expect((again as { error?: unknown }).error).toEqual((result as { error?: unknown }).error);
  expect(await store.read(runId)).toHaveLength(events.length);
}
