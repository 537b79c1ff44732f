import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private `redis-server` for tests and benches: a free port on 127.0.0.1, its data in a
 * temp dir, AOF on with `appendfsync always` (the setting toolplan requires: see the README's
 * "Past one machine" section), and stopped with everything it wrote removed. Never a shared
 * instance.
 */
export class RedisServerProcess {
  readonly dir: string;
  readonly port: number;
  #child: ChildProcess | undefined;

  private constructor(dir: string, port: number) {
    this.dir = dir;
    this.port = port;
  }

  /** The running server's pid (for benches that account for its CPU). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** `fsync`: `always` (the default, what toolplan requires), or `everysec` to compare. */
  static async start(
    options: { binary?: string; fsync?: 'always' | 'everysec' } = {},
  ): Promise<RedisServerProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'toolplan-redis-'));
    const server = new RedisServerProcess(dir, await freePort());
    server.#binary = options.binary ?? process.env.REDIS_SERVER ?? 'redis-server';
    server.#fsync = options.fsync ?? 'always';
    await server.restart();
    return server;
  }

  #binary = 'redis-server';
  #fsync = 'always';

  /** Starts it again on the same port and data dir (after `kill`): AOF replays. */
  async restart(): Promise<void> {
    const child = spawn(
      this.#binary,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        this.#fsync,
        '--save',
        '',
        '--protected-mode',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#child = child;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        log += d.toString();
        if (log.includes('Ready to accept connections')) {
          child.stdout?.off('data', onData);
          child.stdout?.resume();
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.resume();
      child.once('error', (e) =>
        reject(
          new Error(
            `cannot start redis-server (${this.#binary}): ${e.message}; install it: apt-get install redis-server`,
          ),
        ),
      );
      child.once('exit', (code) =>
        reject(new Error(`redis-server exited with ${code}: ${log.slice(-500)}`)),
      );
    });
  }

  /** SIGKILL: the harshest restart; what AOF with fsync always promises must survive it. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
