import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../src/package-root.ts';
import { CONSOLE_DIR } from '../../src/serve/console-assets.ts';

/**
 * The console's files are not compiled into dist/: they are found through the package root,
 * so the compiled server (dist/src/serve) reads the same shipped src/console as the sources.
 * The package test checks the compiled server serves `/`.
 */
describe('the console files', () => {
  it('are read from the package root, not relative to the module', () => {
    expect(CONSOLE_DIR).toBe(packagePath('src', 'console'));
    expect(existsSync(packagePath('package.json'))).toBe(true);
    const files = readdirSync(CONSOLE_DIR);
    for (const f of ['index.html', 'app.js', 'lib.js', 'detail.js', 'console.css'])
      expect(files).toContain(f);
    expect(existsSync(join(CONSOLE_DIR, '..', 'serve', 'console-assets.ts'))).toBe(true);
  });
});
