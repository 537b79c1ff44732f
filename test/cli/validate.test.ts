// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

const tools = 'test/validate/fixtures/tools.ts';
const dir = mkdtempSync(join(tmpdir(), 'toolplan-validate-'));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const valid = write(
  'valid.json',
  JSON.stringify({ version: 1, nodes: [{ id: 'u', call: 'get_user', args: { user_id: '1' } }] }),
);
const invalid = write(
  'invalid.json',
  JSON.stringify({
    version: 1,
    nodes: [
      { id: 'u', call: 'get_usr', args: { user_id: '1' } },
      { id: 'v', value: '${nope.x}' },
    ],
  }),
);
const warned = write(
  'warned.json',
  JSON.stringify({
    version: 1,
    nodes: [{ id: 'u', call: 'get_user', args: { user_id: '1' }, retry: { on: ['Oops'] } }],
  }),
);

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('toolplan validate', () => {
  it('exits 0 on a valid plan', async () => {
    const r = await runCli(['validate', valid, '--tools', tools]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid');
  });

  it('prints warnings and still exits 0', async () => {
    const r = await runCli(['validate', warned, '--tools', tools]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning /nodes/0/retry/on/0 unknown_error_name');
  });

  it('exits 2 and prints path, code and message of every issue', async () => {
    const r = await runCli(['validate', invalid, '--tools', tools]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      'error /nodes/0/call unknown_tool: unknown tool "get_usr". Did you mean "get_user"?',
    );
    expect(r.stdout).toContain('error /nodes/1/value unresolved_reference');
    noStack(r.stdout + r.stderr);
  });

  it('--json prints {valid, issues} on stdout', async () => {
    const r = await runCli(['validate', invalid, '--tools', tools, '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as {
      valid: boolean;
      issues: Array<{ path: string; code: string }>;
    };
    expect(out.valid).toBe(false);
    expect(out.issues.map((i) => [i.path, i.code])).toContainEqual([
      '/nodes/0/call',
      'unknown_tool',
    ]);
  });

  it('reads the plan from stdin with -', async () => {
    const r = await runCli(['validate', '-', '--tools', tools], {
      stdin:
        '```json\n{"version": 1, "nodes": [{"id": "u", "call": "get_user", "args": {"user_id": "1"}}]}\n```',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('extracted_json');
  });

  it('bad JSON: exit 2, the reason, no stack trace', async () => {
    const r = await runCli([
      'validate',
      write('bad.json', '{"version": 1, "nodes": [{"id": "u"'),
      '--tools',
      tools,
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('truncated_json');
    noStack(r.stdout + r.stderr);
  });

  it('a missing tools module: exit 2, the message, no stack trace', async () => {
    const r = await runCli(['validate', valid, '--tools', 'no/such/tools.ts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('tools module not found: no/such/tools.ts');
    noStack(r.stderr);
  });

  it('a missing plan file: exit 2, no stack trace', async () => {
    const r = await runCli(['validate', join(dir, 'nope.json'), '--tools', tools]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('plan file not found');
    noStack(r.stderr);
  });

  it('usage errors exit 2', async () => {
    const r = await runCli(['validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required argument 'plan'");
  });
});
