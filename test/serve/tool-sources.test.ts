import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, node, PROBE, waitFor } from '../mcp/support.ts';
import { call, readSse, TOOLS_MODULE, tempDir } from './support/serve-client.ts';
import { type ServeProcess, startServeProcess } from './support/serve-process.ts';

/** `serve` loads its tools through the same loader as exec/run/resume: MCP servers too. */
const dirs: string[] = [];
const procs: ServeProcess[] = [];

afterEach(() => {
  for (const p of procs.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('serve --mcp and --mcp-config', () => {
  it('lists the MCP server tools beside the module ones, runs a plan over them, and ends the server process on SIGTERM', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const pidFile = join(dir, 'pid');
    // A stdio server gets a clean environment: the config file is how it is handed a variable.
    const config = join(dir, 'mcp.json');
    writeFileSync(
      config,
      JSON.stringify({
        mcpServers: { q: { command: node, args: [PROBE], env: { PROBE_PID_FILE: pidFile } } },
      }),
    );
    const p = await startServeProcess([
      '--tools',
      TOOLS_MODULE,
      '--mcp',
      `p=${node} ${PROBE}`,
      '--mcp-config',
      config,
      '--journal',
      join(dir, 'journal'),
    ]);
    procs.push(p);
    const tools = await call(p.client, 'GET', '/v1/tools');
    expect(tools.status).toBe(200);
    const names = (tools.body as { name: string }[]).map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['wait', 'p.wait', 'p.enable_more', 'q.wait', 'q.crash']),
    );
    const plan = {
      version: 1,
      nodes: [{ id: 'w', call: 'q.wait', args: { ms: 5 } }],
      output: '${w[0].text}',
    };
    const { status, body } = await call(p.client, 'POST', '/v1/runs', { plan });
    expect(status).toBe(202);
    const events = await readSse(p.client, body.events, { timeoutMs: 30_000 });
    expect(events.at(-1)?.data).toMatchObject({
      type: 'run.finished',
      status: 'succeeded',
      output: 'waited',
    });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(isAlive(pid)).toBe(true);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    await waitFor(() => !isAlive(pid), 5000);
  }, 90_000);
});
