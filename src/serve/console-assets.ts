import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { REPORT_CSS } from '../eval/report-html.ts';
import { packagePath } from '../package-root.ts';

/**
 * The console's files are not compiled, so they are read from the package's `src/console/`
 * (shipped in the package) whether this module runs from `src/` or from `dist/src/`.
 */
export const CONSOLE_DIR = packagePath('src', 'console');
const read = (name: string) => readFileSync(join(CONSOLE_DIR, name), 'utf8');

/**
 * The console: static files from `src/console/` (plain HTML, CSS and three ES modules: no
 * build step, nothing from the network) plus the report's own stylesheet. They carry no data, so
 * they are served without the token; the script asks the API with it.
 */
export function consoleRoutes(app: Hono): void {
  const files: Record<string, { type: string; body: string }> = {
    '/': { type: 'text/html; charset=utf-8', body: read('index.html') },
    '/console/app.js': { type: 'text/javascript; charset=utf-8', body: read('app.js') },
    '/console/lib.js': { type: 'text/javascript; charset=utf-8', body: read('lib.js') },
    '/console/detail.js': { type: 'text/javascript; charset=utf-8', body: read('detail.js') },
    '/console/console.css': { type: 'text/css; charset=utf-8', body: read('console.css') },
    '/console/report.css': { type: 'text/css; charset=utf-8', body: REPORT_CSS },
  };
  const csp =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  for (const [path, file] of Object.entries(files)) {
    app.get(path, (c) =>
      c.body(file.body, 200, {
        'content-type': file.type,
        'content-security-policy': csp,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      }),
    );
  }
}
