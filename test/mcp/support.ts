import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
const bin = (pkg: string) =>
  resolve(repoRoot, 'node_modules', '@modelcontextprotocol', pkg, 'dist', 'index.js');
/** The installed reference servers, run with node: no npx, no network. */
export const EVERYTHING = bin('server-everything');
export const FILESYSTEM = bin('server-filesystem');
export const PROBE = resolve(here, 'fixtures', 'probe-server.mjs');
export const node = process.execPath;

export const everythingStdio = (prefix = 'ev') => `${prefix}=${node} ${EVERYTHING} stdio`;

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `toolplan-mcp-${label}-`));
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** server-everything over HTTP on a free port; it listens on all interfaces, we talk to 127.0.0.1. */
export async function startEverythingHttp(mode: 'streamableHttp' | 'sse'): Promise<{
  url: string;
  child: ChildProcess;
  stop: () => Promise<void>;
}> {
  const port = await freePort();
  const child = spawn(node, [EVERYTHING, mode], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  await waitFor(() => /listening|running/i.test(out) || child.exitCode !== null, 60_000);
  if (child.exitCode !== null) throw new Error(`server-everything ${mode} exited: ${out}`);
  const path = mode === 'sse' ? '/sse' : '/mcp';
  return {
    url: `http://127.0.0.1:${port}${path}`,
    child,
    stop: () =>
      new Promise((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}
