import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from './serve-client.ts';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
const ENTRY = resolve(ROOT, 'bin', 'toolplan');

export interface ServeProcess {
  child: ChildProcess;
  client: Client;
  stderr(): string;
  exited: Promise<number | null>;
}

/** `toolplan serve` as a real child process on a free port; resolves once it listens. */
export async function startServeProcess(
  args: string[],
  env: Record<string, string> = {},
): Promise<ServeProcess> {
  const token = env.TOOLPLAN_TOKEN ?? 'process-token';
  const child = spawn(process.execPath, [ENTRY, 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, TOOLPLAN_DEBUG: '', TOOLPLAN_TOKEN: token, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  child.stdout?.resume();
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const base = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${err}`)), 30_000);
    const check = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m?.[1]) {
        clearTimeout(timer);
        resolvePromise(m[1]);
      }
    };
    child.stderr?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code} before listening:\n${err}`));
    });
  });
  return { child, client: { base, token }, stderr: () => err, exited };
}
