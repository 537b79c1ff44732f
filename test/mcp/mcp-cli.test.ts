import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { everythingStdio, isAlive, node, PROBE, tempDir, waitFor } from './support.ts';

// Real servers and CLI processes start slowly on a loaded 2-core machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

describe('--mcp on the CLI', () => {
  it('toolplan tools lists local and MCP tools together', async () => {
    const r = await runCli(
      ['tools', '--tools', 'tools/index.ts', '--mcp', everythingStdio('ev'), '--json'],
      { timeoutMs: 80_000 },
    );
    expect(r.code).toBe(0);
    const names = (JSON.parse(r.stdout) as { name: string }[]).map((t) => t.name);
    expect(names).toContain('ev.get-sum');
    expect(names.length).toBeGreaterThan(20);
  });

  it('exec runs a plan over an MCP server from a config file and leaves no process behind', async () => {
    const dir = tempDir('cli');
    const pidFile = join(dir, 'pid');
    const config = join(dir, 'mcp.json');
    writeFileSync(
      config,
      JSON.stringify({
        mcpServers: { p: { command: node, args: [PROBE], env: { PROBE_PID_FILE: pidFile } } },
      }),
    );
    const plan = join(dir, 'plan.json');
    writeFileSync(
      plan,
      JSON.stringify({
        version: 1,
        nodes: [{ id: 'w', call: 'p.wait', args: { ms: 5 } }],
        output: '${w[0].text}',
      }),
    );
    const r = await runCli(['exec', plan, '--mcp-config', config, '--journal', join(dir, 'j')], {
      timeoutMs: 80_000,
    });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toBe('waited');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !isAlive(pid), 5000);
  });

  it('a failing server is named with its stderr, exit 2', async () => {
    const r = await runCli(
      ['tools', '--mcp', `bad=${node} -e "console.error('missing-token-abc');process.exit(4)"`],
      { timeoutMs: 80_000 },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad=');
    expect(r.stderr).toContain('missing-token-abc');
  });
});
