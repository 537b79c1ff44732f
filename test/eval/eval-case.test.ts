import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_CASES } from '../../src/cli/eval.ts';
import { findCaseDirs, loadCase } from '../../src/eval/eval-case.ts';

const good = {
  name: 'demo',
  pattern: 'chain',
  task: 'Do it',
  tools: 'bundled',
  mode: 'plan',
  provider: 'openai',
  model: 'gpt-4.1-mini',
  cassette: 'cassette.json',
  expect: { answer: { contains: 'ok' } },
};

function caseDir(content: string, name = 'demo'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'toolplan-case-')), name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'case.json'), content);
  return dir;
}

describe('loadCase', () => {
  it('loads a good case and resolves its cassette beside it', () => {
    const dir = caseDir(JSON.stringify(good));
    const c = loadCase(dir);
    expect(c.name).toBe('demo');
    expect(c.cassettePath).toBe(join(dir, 'cassette.json'));
    expect(c.origin).toBe('hand-written');
  });

  it('names the file and the field of a bad value', () => {
    const dir = caseDir(JSON.stringify({ ...good, mode: 'plans' }));
    expect(() => loadCase(dir)).toThrow(/case\.json: field "mode"/);
  });

  it('names nested fields and unknown keys', () => {
    const dir = caseDir(
      JSON.stringify({ ...good, expect: { calls: [{ name: 'x', args: { a: 1 } }] } }),
    );
    expect(() => loadCase(dir)).toThrow(/field "expect\.calls\.0\.args\.a"/);
    const typo = caseDir(JSON.stringify({ ...good, expext: {} }));
    expect(() => loadCase(typo)).toThrow(/expext/);
  });

  it('reports JSON syntax errors and a name that is not the folder', () => {
    expect(() => loadCase(caseDir('{ "name": '))).toThrow(/case\.json: not valid JSON/);
    expect(() => loadCase(caseDir(JSON.stringify(good), 'other'))).toThrow(
      /field "name": "demo" must equal the folder name "other"/,
    );
  });

  it('finds every bundled case, and each one loads', () => {
    const dirs = findCaseDirs(BUNDLED_CASES);
    expect(dirs.length).toBeGreaterThanOrEqual(20);
    for (const dir of dirs) expect(loadCase(dir).expect).toBeDefined();
  });
});
