// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

/** The dead ends a newcomer hit in their first hour, each as the command they typed. */
const TOOLS = resolve(import.meta.dirname, '../support/exec-cli-tools.ts');
const dir = mkdtempSync(join(tmpdir(), 'toolplan-newcomer-'));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const journal = join(dir, 'runs');
const addPlan = {
  version: 1,
  nodes: [{ id: 'a', call: 'add', args: { a: '${input.x}', b: 2 } }],
  output: '${a}',
};

describe('a newcomer at the command line', () => {
  it('validate on a trailing comma: the real line and column, worded for a person', async () => {
    const file = write(
      'comma.json',
      '{\n  "version": 1,\n  "nodes": [\n    { "id": "a", "value": 1 },\n  ]\n}\n',
    );
    const r = await runCli(['validate', file, '--tools', TOOLS]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('line 4, column 30: a trailing comma before "]"');
    expect(r.stdout).not.toMatch(/Reply with|offset/);
  });

  it('exec on a trailing comma says where, too', async () => {
    const file = write('comma2.json', '{"version": 1, "nodes": [],}');
    const r = await runCli(['exec', file, '--tools', TOOLS, '--journal', journal]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('line 1, column 27: a trailing comma before "}"');
  });

  it('exec without --tools says once to pass --tools, not once per node', async () => {
    const plan = {
      version: 1,
      nodes: [1, 2, 3].map((i) => ({ id: `n${i}`, call: 'add', args: { a: i, b: i } })),
    };
    const r = await runCli([
      'exec',
      write('three.json', JSON.stringify(plan)),
      '--journal',
      journal,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.match(/pass --tools MODULE/g)).toHaveLength(1);
    expect(r.stderr).not.toContain('unknown_tool');
  });

  it('exec with an --input that is not an object is a usage error before anything runs', async () => {
    const file = write('add.json', JSON.stringify(addPlan));
    const r = await runCli([
      'exec',
      file,
      '--tools',
      TOOLS,
      '--journal',
      journal,
      '--input',
      '[1]',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the input must be a JSON object');
    expect(r.stderr).not.toContain('started');
  });

  it('exec with an --input missing a field the plan reads names the field', async () => {
    const file = write('add2.json', JSON.stringify(addPlan));
    const r = await runCli([
      'exec',
      file,
      '--tools',
      TOOLS,
      '--journal',
      journal,
      '--input',
      '{"y":1}',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the plan reads input.x, but the input has no "x"');
    const ok = await runCli([
      'exec',
      file,
      '--tools',
      TOOLS,
      '--journal',
      journal,
      '--input',
      '{"x":1}',
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ sum: 3 });
  });

  it("exec checks --input against the plan's declared input schema", async () => {
    const plan = {
      ...addPlan,
      input: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] },
    };
    const file = write('declared.json', JSON.stringify(plan));
    const r = await runCli([
      'exec',
      file,
      '--tools',
      TOOLS,
      '--journal',
      journal,
      '--input',
      '{"x":"one"}',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('input at /x');
  });

  it('run against a provider that cannot be reached: the error once, exit 1 (the run failed)', async () => {
    const r = await runCli(['run', 'hi', '--tools', TOOLS], {
      env: { OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' },
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.match(/could not reach OpenAI/g)).toHaveLength(1);
  }, 60_000);

  it('help eval counts the BFCL tasks there are', async () => {
    const r = await runCli(['help', 'eval']);
    expect(r.stdout).toContain('1,240 BFCL tasks');
  }, 60_000);
});
