import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/errors/runtime-errors.ts';
import { loadTools } from '../../src/tool/tool-sources.ts';
import { isAlive, node, PROBE, tempDir, waitFor } from '../mcp/support.ts';

// Real servers and CLI processes start slowly on a loaded 2-core machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

describe('loadTools', () => {
  it('puts module and MCP tools in one registry, and close ends the servers', async () => {
    const dir = tempDir('load');
    const mod = join(dir, 'tools.mjs');
    writeFileSync(
      mod,
      `export const tools = [{ name: 'local', description: 'L.', inputSchema: { type: 'object' }, execute: () => 1 }];`,
    );
    const config = join(dir, 'mcp.json');
    writeFileSync(
      config,
      JSON.stringify({ mcpServers: { cfg: { command: node, args: [PROBE] } } }),
    );
    const loaded = await loadTools({
      tools: [mod],
      mcp: [`p=${node} ${PROBE}`],
      mcpConfig: config,
    });
    expect(loaded.registry.names()).toEqual(
      expect.arrayContaining(['local', 'p.wait', 'cfg.wait']),
    );
    const pids = loaded.servers.map((s) => s.connection.pid as number);
    expect(pids).toHaveLength(2);
    await loaded.close();
    await waitFor(() => pids.every((p) => !isAlive(p)));
  });

  it('a name from a module and a server clashes with both sources named, and nothing is left running', async () => {
    const dir = tempDir('clash');
    const mod = join(dir, 'tools.mjs');
    writeFileSync(
      mod,
      `export const tools = [{ name: 'wait', description: 'W.', inputSchema: { type: 'object' }, execute: () => 1 }];`,
    );
    const pidFile = join(dir, 'pid');
    const err = await loadTools({
      tools: [mod],
      mcpConfig: writeConfig(dir, {
        s: { command: node, args: [PROBE], prefix: false, env: { PROBE_PID_FILE: pidFile } },
      }),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(mod);
    expect(err.message).toContain(PROBE);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !isAlive(pid));
  });

  it('when one server fails to start, the others are closed and every failure is named', async () => {
    const dir = tempDir('fail');
    const pidFile = join(dir, 'pid');
    const err = await loadTools({
      mcp: [
        `a=${node} -e "process.exit(1)"`,
        `b=${node} -e "console.error('b-broke');process.exit(2)"`,
      ],
      mcpConfig: writeConfig(dir, {
        ok: { command: node, args: [PROBE], env: { PROBE_PID_FILE: pidFile } },
      }),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/2 MCP servers failed to start/);
    expect(err.message).toContain('b-broke');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !isAlive(pid));
  });
});

function writeConfig(dir: string, servers: Record<string, unknown>): string {
  const file = join(dir, `mcp-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ mcpServers: servers }));
  return file;
}
