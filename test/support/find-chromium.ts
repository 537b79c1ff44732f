import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
export const CHROMIUM_INSTALL = 'apt-get update && apt-get install -y chromium';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A headless-capable Chromium: $CHROMIUM_PATH, else the first of the usual names on PATH. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return executable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of NAMES)
    for (const dir of dirs) if (executable(join(dir, name))) return join(dir, name);
  return undefined;
}

/**
 * What a test that needs Chromium does without it: under CI (CI=true) it fails, since CI
 * installs it (.ci/run); elsewhere it says so in one line, with the install command, and
 * the caller skips.
 */
export function chromiumOrSkip(skip: () => void): string {
  const found = findChromium();
  if (found) return found;
  const line = `Chromium not found (looked for $CHROMIUM_PATH, ${NAMES.join(', ')} on PATH): the HTML report test needs it. Install it with \`${CHROMIUM_INSTALL}\``;
  if (process.env.CI) throw new Error(`${line}; under CI it must be installed (.ci/run does).`);
  process.stderr.write(`\nSKIPPED: ${line}\n`);
  skip();
  throw new Error('unreachable: skip() throws');
}
