import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
