import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

const TOOLS = resolve(import.meta.dirname, '../support/leaky-tools.ts');
const dir = mkdtempSync(join(tmpdir(), 'toolplan-leak-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the CLI exits when the run has ended', () => {
  for (const [tool, status, code] of [
    ['leaky', 'succeeded', 0],
    ['leaky_fail', 'failed', 1],
  ] as const) {
    it(`after a ${status} run whose tool leaked a timer, with the journal complete`, async () => {
      const plan = join(dir, `${tool}.json`);
      writeFileSync(
        plan,
        JSON.stringify({ version: 1, nodes: [{ id: 'l', call: tool, args: {} }] }),
      );
      const journal = join(dir, 'runs');
      // Without the exit, the leaked interval keeps the child alive until this kill.
      const r = await runCli(
        ['exec', plan, '--tools', TOOLS, '--journal', journal, '--run-id', tool],
        { timeoutMs: 25_000 },
      );
      expect(r.code, r.stderr).toBe(code);
      const last = readFileSync(join(journal, `${tool}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .at(-1)!;
      expect(JSON.parse(last)).toMatchObject({ type: 'run.finished', status });
    });
  }
});
