import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ENTRY = resolve(import.meta.dirname, '../../bin/toolplan');

/** A tools module (plain JS, JSON Schema input) whose calls log when they begin and end. */
const TOOLS = `import { appendFileSync } from 'node:fs';
export const tools = [{
  name: 'nap',
  description: 'sleeps 30 ms',
  inputSchema: { type: 'object', properties: { i: { type: 'integer' } }, required: ['i'] },
  execute: async ({ i }) => {
    appendFileSync(process.env.NAP_LOG, '+' + i + '\\n');
    await new Promise((r) => setTimeout(r, 30));
    appendFileSync(process.env.NAP_LOG, '-' + i + '\\n');
    return { i };
  },
}];
`;

function exec(extra: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'toolplan-maxconc-'));
  writeFileSync(join(dir, 'tools.mjs'), TOOLS);
  const plan = {
    version: 1,
    nodes: Array.from({ length: 6 }, (_, i) => ({ id: `n${i}`, call: 'nap', args: { i } })),
    output: '${n5.i}',
  };
  writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  const r = spawnSync(
    process.execPath,
    [ENTRY, 'exec', join(dir, 'plan.json'), '--tools', join(dir, 'tools.mjs')].concat([
      '--journal',
      join(dir, 'runs'),
      ...extra,
    ]),
    { encoding: 'utf8', env: { ...process.env, NAP_LOG: log }, timeout: 60_000 },
  );
  let inFlight = 0;
  let most = 0;
  for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
    inFlight += line.startsWith('+') ? 1 : -1;
    most = Math.max(most, inFlight);
  }
  return { code: r.status, stderr: r.stderr, stdout: r.stdout, most };
}

describe('--max-concurrency (the caller cap on tool calls in flight)', () => {
  it('caps the calls in flight at once; without it, independent calls all run together', () => {
    const capped = exec(['--max-concurrency', '2']);
    expect(capped.code, capped.stderr).toBe(0);
    expect(capped.stdout.trim()).toBe('5');
    expect(capped.most).toBe(2);
    const free = exec([]);
    expect(free.code, free.stderr).toBe(0);
    expect(free.most).toBe(6);
  });

  it('refuses a bad value before anything runs, quoting it (exit 2)', () => {
    for (const bad of ['0', '-3', '1.5', 'lots']) {
      const r = exec(['--max-concurrency', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`argument '${bad}' is invalid`);
      expect(r.stderr).toContain('whole number of 1 or more');
      expect(r.most).toBe(0);
    }
  });

  it('is taught by --help on exec, resume, serve and coordinator', () => {
    for (const command of ['exec', 'resume', 'serve', 'coordinator']) {
      const r = spawnSync(process.execPath, [ENTRY, command, '--help'], { encoding: 'utf8' });
      expect(r.stdout, command).toContain('--max-concurrency <n>');
    }
  });
});
