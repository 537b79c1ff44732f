import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../serve/support/serve-client.ts';
import { runCli } from '../support/run-cli.ts';
import { Fleet } from './support/fleet.ts';

const FILESYSTEM = join(
  process.cwd(),
  'node_modules',
  '@modelcontextprotocol',
  'server-filesystem',
  'dist',
  'index.js',
);
const fsServer = (dir: string) => `fs=${process.execPath} ${FILESYSTEM} ${dir}`;

let fleet: Fleet;
beforeAll(async () => {
  fleet = await Fleet.start();
});
afterAll(async () => fleet?.stop());

describe('toolplan worker --mcp', () => {
  it("serves an MCP server's tools; the coordinator given the same --mcp enqueues their calls", async () => {
    // The worker's server may read only its folder, the coordinator's only another: a
    // result read from the worker's folder can only have come from the worker.
    const workerDir = mkdtempSync(join(tmpdir(), 'toolplan-wmcp-w-'));
    const coordinatorDir = mkdtempSync(join(tmpdir(), 'toolplan-wmcp-c-'));
    writeFileSync(join(workerDir, 'a.txt'), 'alpha from the worker');
    const worker = fleet.spawn([
      'worker',
      '--mcp',
      fsServer(workerDir),
      '--redis',
      fleet.url,
      '--lock-ms',
      '4000',
    ]);
    await worker.waitFor(
      /toolplan worker: serving toolplan from .* \([1-9]\d* tool\(s\)\)/,
      60_000,
    );
    const plan = {
      version: 1,
      nodes: [{ id: 'r', call: 'fs.read_text_file', args: { path: join(workerDir, 'a.txt') } }],
      output: '${r.content}',
    };
    const file = join(fleet.dir, 'mcp.plan.json');
    writeFileSync(file, JSON.stringify(plan));

    const remote = await runCli(
      ['exec', file, '--mcp', fsServer(coordinatorDir), '--redis', fleet.url, '--run-id', 'mcp1'],
      { timeoutMs: 60_000 },
    );
    expect(remote.code, remote.stderr).toBe(0);
    expect(JSON.parse(remote.stdout)).toBe('alpha from the worker');
    const events = await fleet.store().read('mcp1');
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded' });

    // The same plan run by the coordinator's own server is refused: it never ran it above.
    const local = await runCli(
      ['exec', file, '--mcp', fsServer(coordinatorDir), '--journal', fleet.dir],
      { timeoutMs: 60_000 },
    );
    expect(local.code).toBe(1);
    expect(local.stderr).toMatch(/denied|outside|not allowed/i);
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  }, 120_000);

  it('an --mcp-config server with a "queue" goes to that queue: only `worker --queue Q` runs it', async () => {
    const workerDir = mkdtempSync(join(tmpdir(), 'toolplan-wmcpq-w-'));
    const coordinatorDir = mkdtempSync(join(tmpdir(), 'toolplan-wmcpq-c-'));
    writeFileSync(join(workerDir, 'b.txt'), 'beta from the files queue');
    const config = (dir: string, queue?: string) => {
      const file = join(mkdtempSync(join(tmpdir(), 'toolplan-wmcpq-cfg-')), 'mcp.json');
      const fs = {
        command: process.execPath,
        args: [FILESYSTEM, dir],
        ...(queue ? { queue } : {}),
      };
      writeFileSync(file, JSON.stringify({ mcpServers: { fs } }));
      return file;
    };
    // A worker on the default queue with the same server (and folder) must not get the call.
    const idle = fleet.spawn([
      'worker',
      '--mcp-config',
      config(workerDir),
      '--redis',
      fleet.url,
      '--json',
    ]);
    await idle.waitFor(/toolplan worker: serving toolplan from/, 60_000);
    const plan = {
      version: 1,
      nodes: [{ id: 'r', call: 'fs.read_text_file', args: { path: join(workerDir, 'b.txt') } }],
      output: '${r.content}',
    };
    const file = join(fleet.dir, 'mcpq.plan.json');
    writeFileSync(file, JSON.stringify(plan));
    const run = runCli(
      [
        'exec',
        file,
        '--mcp-config',
        config(coordinatorDir, 'files'),
        '--redis',
        fleet.url,
        '--run-id',
        'mcpq1',
      ],
      { timeoutMs: 90_000 },
    );
    // The call waits in the "files" queue, which nobody serves yet.
    const files = new Queue('files', { connection: fleet.client(), prefix: 'toolplan:bull' });
    await until(async () => ((await files.getWaitingCount()) >= 1 ? true : undefined), 60_000);
    const worker = fleet.spawn([
      'worker',
      '--mcp-config',
      config(workerDir, 'files'),
      '--queue',
      'files',
      '--redis',
      fleet.url,
      '--json',
    ]);
    const done = await run;
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toBe('beta from the files queue');
    expect(worker.stderr).toMatch(/serving files from/);
    expect(worker.stderr).toContain('mcpq1/r');
    expect(idle.stderr).not.toContain('mcpq1');
    await files.close();
    for (const w of [worker, idle]) {
      w.kill('SIGTERM');
      expect(await w.exited).toBe(0);
    }
  }, 150_000);
});
