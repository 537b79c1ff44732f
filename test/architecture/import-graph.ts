import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The import graph of a source tree, read from the files' text: every `import`/`export ...
 * from` at the start of a line (type-only ones too: they tie modules together as much as
 * value imports do), side-effect imports and `import('...')` with a literal specifier.
 * Only relative specifiers that name a file inside the tree are edges.
 */
export function importGraph(root: string): Map<string, string[]> {
  const files = sourceFiles(root);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const targets = new Set<string>();
    for (const spec of specifiers(text)) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      if (known.has(target)) targets.add(target);
    }
    graph.set(rel(root, file), [...targets].map((t) => rel(root, t)).sort());
  }
  return graph;
}

const STATIC = /^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/gm;
const SIDE_EFFECT = /^\s*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

export function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const re of [STATIC, SIDE_EFFECT, DYNAMIC]) {
    for (const m of text.matchAll(re)) out.push(m[1]!);
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(?:ts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function rel(root: string, file: string): string {
  return relative(root, file).split('\\').join('/');
}

/**
 * Every cycle's strongly connected component (Tarjan), each with one concrete cycle through
 * it as a path `a -> b -> ... -> a` to print.
 */
export function importCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    const selfLoop = (graph.get(v) ?? []).includes(v);
    if (component.length > 1 || selfLoop) cycles.push(cyclePath(graph, new Set(component), v));
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** A shortest path from `start` back to itself inside one component (breadth first). */
function cyclePath(graph: Map<string, string[]>, component: Set<string>, start: string): string[] {
  const from = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path: string[] = [];
        for (let u: string | undefined = v; u !== undefined && u !== start; u = from.get(u))
          path.unshift(u);
        return [start, ...path, start];
      }
      if (!from.has(w)) {
        from.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

const DECLARED =
  /^export\s+(?:declare\s+)?(?:abstract\s+)?(?:type|interface|class|enum)\s+([A-Za-z_$][\w$]*)/gm;

/**
 * Type names (types, interfaces, classes, enums) declared and exported by more than one
 * module of the tree, with the modules: one name, two meanings, and an import that picks the
 * wrong one type-checks wherever the two agree structurally. Re-exports are not declarations.
 */
export function typesDeclaredTwice(root: string): Map<string, string[]> {
  const where = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    for (const m of readFileSync(file, 'utf8').matchAll(DECLARED)) {
      where.set(m[1]!, [...(where.get(m[1]!) ?? []), rel(root, file)]);
    }
  }
  return new Map([...where].filter(([, files]) => files.length > 1));
}

/** Relative imports of files under `root` that leave it (`../../tools/...` from `src/`). */
export function importsLeaving(root: string): { file: string; specifier: string }[] {
  const out: { file: string; specifier: string }[] = [];
  for (const file of sourceFiles(root)) {
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.') && relative(root, resolve(dirname(file), spec)).startsWith('..'))
        out.push({ file: rel(root, file), specifier: spec });
    }
  }
  return out;
}
