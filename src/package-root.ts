import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of toolplan's own package.json. Sources run from `src/` and compiled code from
 * `dist/src/`, so a fixed number of `..` would be right for one of them only; the first
 * folder above this file holding a package.json is right for both, in a clone and in
 * node_modules.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

let root: string | undefined;

/** A path inside the toolplan package: `packagePath('prompts')`, `packagePath('evals', 'cases')`. */
export function packagePath(...segments: string[]): string {
  root ??= findRoot();
  return join(root, ...segments);
}
