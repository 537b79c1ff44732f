import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

// The commands README shows, run exactly as a user would type them.
const journal = mkdtempSync(join(tmpdir(), 'toolplan-readme-'));
afterAll(() => rmSync(journal, { recursive: true, force: true }));

describe('README examples', () => {
  it('validates the hand-written plan', async () => {
    const r = await runCli(['validate', 'evals/plans/spend.json', '--tools', 'tools/index.ts']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/valid/);
  });

  it('runs it with no LLM: only the output on stdout, progress on stderr', async () => {
    const r = await runCli([
      'exec',
      'evals/plans/spend.json',
      '--tools',
      'tools/index.ts',
      '--input',
      '{"user_ids":["u1","u2","u3"]}',
      '--journal',
      journal,
      '--run-id',
      'readme',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      total: 1199.52,
      top_spender: 'Ada',
      by_user: [
        { name: 'Ada', total: 438.24 },
        { name: 'Grace', total: 363.38 },
        { name: 'Alan', total: 397.9 },
      ],
    });
    expect(r.stderr).toMatch(/run succeeded/);
    const runs = await runCli(['runs', '--journal', journal]);
    expect(runs.stdout).toMatch(/readme/);
  });

  it('replays a recorded conversation with no key and no network', async () => {
    const r = await runCli(
      [
        'run',
        'How much has user u1 spent in total, over how many orders?',
        '--tools',
        'tools/index.ts',
        '--cassette',
        'evals/cases/chain/cassette.json',
        '--provider',
        'openai',
      ],
      { env: { OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', OPENAI_BASE_URL: '' } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('Ada spent 438.24 dollars in 5 orders');
  });

  it('explains what to set when no provider is configured', async () => {
    const r = await runCli(['run', 'what did u1 spend?', '--tools', 'tools/index.ts'], {
      env: {
        OPENAI_API_KEY: '',
        ANTHROPIC_API_KEY: '',
        OPENAI_BASE_URL: '',
        ANTHROPIC_BASE_URL: '',
      },
    });
    expect(r.code).toBe(2);
    for (const name of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENAI_BASE_URL'])
      expect(r.stderr).toContain(name);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
