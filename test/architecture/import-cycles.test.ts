import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { importCycles, importGraph, importsLeaving, typesDeclaredTwice } from './import-graph.ts';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../../src');

let tmp: string | undefined;
afterEach(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

function tree(files: Record<string, string>): string {
  tmp = mkdtempSync(join(tmpdir(), 'toolplan-imports-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(tmp, path)), { recursive: true });
    writeFileSync(join(tmp, path), text);
  }
  return tmp;
}

describe('the import graph of src/', () => {
  it('has no cycle (type-only imports count)', () => {
    const graph = importGraph(SRC);
    // The graph was read at all: the entry point imports dozens of modules.
    expect(graph.get('index.ts')?.length ?? 0).toBeGreaterThan(20);
    const cycles = importCycles(graph).map((c) => c.join(' -> '));
    expect(cycles, `import cycles in src/:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('points the right way: tool/ never imports providers/, loop/ never record/', () => {
    const graph = importGraph(SRC);
    const wrong = [...graph].flatMap(([file, targets]) =>
      targets
        .filter(
          (to) =>
            (file.startsWith('tool/') && to.startsWith('providers/')) ||
            (file.startsWith('loop/') && to.startsWith('record/')),
        )
        .map((to) => `${file} -> ${to}`),
    );
    expect(wrong).toEqual([]);
  });

  it('leaves src/ only from the CLI (the eval suite is handed the bundled tools)', () => {
    const leaving = importsLeaving(SRC).filter((i) => !i.file.startsWith('cli/'));
    expect(leaving).toEqual([]);
  });

  it('declares each exported type name in one module only', () => {
    const twice = [...typesDeclaredTwice(SRC)].map(
      ([name, files]) => `${name}: ${files.join(', ')}`,
    );
    expect(twice, `type names declared in two modules:\n${twice.join('\n')}`).toEqual([]);
  });
});

describe('typesDeclaredTwice', () => {
  it('finds a name declared in two modules, not one re-exported', () => {
    const root = tree({
      'a.ts': 'export interface Outcome {\n  ok: boolean;\n}\nexport type Only = 1;\n',
      'b/c.ts': "export type Outcome = 'x';\nexport type { Only } from '../a.ts';\n",
    });
    expect([...typesDeclaredTwice(root)]).toEqual([['Outcome', ['a.ts', 'b/c.ts']]]);
  });
});

describe('importGraph and importCycles', () => {
  it('find a cycle through type-only, multi-line, re-export and dynamic imports', () => {
    const root = tree({
      'a.ts': "import type { B } from './b.ts';\nexport const a = 1;\n",
      'b.ts': "import {\n  c,\n  type C,\n} from './sub/c.ts';\nexport type B = 1;\n",
      'sub/c.ts': "export { d } from '../d.ts';\nexport const c = 1;\nexport type C = 2;\n",
      'd.ts': "export const d = () => import('./a.ts');\n",
      'e.ts': "import './a.ts';\n// import { x } from './f.ts' is prose, not an edge\n",
      'f.ts': "import { e } from './e.ts';\nimport { z } from 'zod';\n",
    });
    const graph = importGraph(root);
    expect(graph.get('b.ts')).toEqual(['sub/c.ts']);
    expect(graph.get('f.ts')).toEqual(['e.ts']);
    expect(importCycles(graph)).toEqual([['a.ts', 'b.ts', 'sub/c.ts', 'd.ts', 'a.ts']]);
  });

  it('report a self-import, and nothing for a tree without cycles', () => {
    expect(importCycles(importGraph(tree({ 'x.ts': "import './x.ts';\n" })))).toEqual([
      ['x.ts', 'x.ts'],
    ]);
    const acyclic = tree({ 'a.ts': "import './b.ts';\n", 'b.ts': 'export {};\n' });
    expect(importCycles(importGraph(acyclic))).toEqual([]);
  });
});
