import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, ToolError } from '../../src/errors/runtime-errors.ts';
import { executePlan, resumeRun } from '../../src/exec/execute-plan.ts';
import { MemoryJournalStore } from '../../src/exec/journal-store.ts';
import { type McpToolSet, mcpTools, openMcpServers } from '../../src/mcp/mcp-tools.ts';
import { ToolRegistry } from '../../src/tool/registry.ts';
import { validatePlan } from '../../src/validate/index.ts';
import {
  everythingStdio,
  FILESYSTEM,
  isAlive,
  node,
  PROBE,
  startEverythingHttp,
  tempDir,
  waitFor,
} from './support.ts';

// Real servers and CLI processes start slowly on a loaded 2-core machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const ctx = (signal: AbortSignal) => ({
  signal,
  idempotencyKey: 'r/n',
  runId: 'r',
  nodeId: 'n',
  attempt: 1,
});

describe('MCP tools from server-everything over stdio', () => {
  let ev: McpToolSet;
  let registry: ToolRegistry;
  beforeAll(async () => {
    ev = await mcpTools(everythingStdio('ev'));
    registry = ev.addTo(new ToolRegistry());
  });
  afterAll(async () => {
    await ev.close();
  });

  it('lists the tools with their prefix, schemas as given and annotations as options', () => {
    const sum = registry.get('ev.get-sum');
    expect(sum?.inputSchema.required).toEqual(['a', 'b']);
    expect(sum?.tool.mutating).toBe(false);
    const weather = registry.get('ev.get-structured-content');
    expect(
      (weather?.outputSchema?.properties as Record<string, unknown> | undefined)?.temperature,
    ).toEqual(expect.objectContaining({ type: 'number' }));
    expect(registry.get('ev.toggle-simulated-logging')?.tool.mutating).toBe(true);
    expect(registry.get('ev.toggle-simulated-logging')?.tool.requires_approval).toBe(false);
  });

  it('runs a fan-out plan over server tools, structuredContent and content parts as outputs', async () => {
    const plan = {
      version: 1,
      nodes: [
        { id: 'nums', value: [1, 2, 3, 4, 5, 6, 7, 8] },
        {
          id: 'sums',
          map: '${nums}',
          as: 'n',
          do: [{ id: 's', call: 'ev.get-sum', args: { a: '${n}', b: 100 } }],
        },
        { id: 'w', call: 'ev.get-structured-content', args: { location: 'Chicago' } },
      ],
      output: "${ {'texts': sums.map(x, x[0].text), 'temp': w.temperature} }",
    };
    expect(validatePlan(plan, registry).valid).toBe(true);
    const r = await executePlan(plan, { tools: registry });
    expect(r.status).toBe('succeeded');
    const out = (r as { output: { texts: string[]; temp: number } }).output;
    expect(out.texts[7]).toBe('The sum of 8 and 100 is 108.');
    expect(typeof out.temp).toBe('number');
  });

  it('statically rejects literal arguments that break the server schema', () => {
    const r = validatePlan(
      { version: 1, nodes: [{ id: 's', call: 'ev.get-sum', args: { a: 'one', b: 2, c: 3 } }] },
      registry,
    );
    expect(r.valid).toBe(false);
    expect(r.issues.map((i) => i.path).sort()).toEqual(['/nodes/0/args/a', '/nodes/0/args/c']);
  });

  it('a server-side error is a ToolError, and falls back to a local tool', async () => {
    const local = {
      name: 'local_ref',
      description: 'Local stand-in.',
      inputSchema: { type: 'object' },
      execute: () => 'local',
    };
    const reg = ev.addTo(ToolRegistry.from([local]));
    const plan = {
      version: 1,
      nodes: [
        {
          id: 'r',
          call: 'ev.get-resource-reference',
          args: { resourceId: -1 },
          fallback: [{ call: 'local_ref', args: {} }],
        },
        {
          id: 'bare',
          call: 'ev.get-resource-reference',
          args: { resourceId: -1 },
        },
        {
          id: 'caught',
          try: [{ id: 'again', call: 'ev.get-resource-reference', args: { resourceId: -2 } }],
          catch: [{ id: 'why', value: '${error.name + ": " + error.message}' }],
        },
      ],
      output: "${ {'r': r, 'why': caught} }",
    };
    const noBare = { ...plan, nodes: plan.nodes.filter((n) => n.id !== 'bare') };
    const ok = await executePlan(noBare, { tools: reg });
    expect(ok.status).toBe('succeeded');
    const out = (ok as { output: { r: string; why: string } }).output;
    expect(out.r).toBe('local');
    expect(out.why).toMatch(
      /^ToolError: MCP tool get-resource-reference reported an error: .*Invalid resourceId/,
    );
    const failed = await executePlan({ version: 1, nodes: [plan.nodes[1]] }, { tools: reg });
    expect(failed.status).toBe('failed');
    expect((failed as { error: { name: string } }).error.name).toBe('ToolError');
  });

  it('a cancelled call ends at once', async () => {
    const tool = registry.get('ev.trigger-long-running-operation')!.tool;
    const ac = new AbortController();
    const started = tool.execute({ duration: 30, steps: 3 }, ctx(ac.signal));
    setTimeout(() => ac.abort(new Error('stop')), 100);
    await expect(started).rejects.toThrow('stop');
  });
  it('a killed server is restarted on the next call', async () => {
    const pid = ev.connection.pid as number;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid));
    await new Promise((r) => setTimeout(r, 100));
    const out = await registry
      .get('ev.get-sum')
      ?.tool.execute({ a: 1, b: 2 }, ctx(new AbortController().signal));
    expect(out).toEqual([{ type: 'text', text: 'The sum of 1 and 2 is 3.' }]);
    expect(ev.connection.restarts).toBe(1);
    expect(ev.connection.pid).not.toBe(pid);
  });
});

describe('lifecycle against a probe server', () => {
  it('sends notifications/cancelled when the signal aborts', async () => {
    const dir = tempDir('cancel');
    const logFile = join(dir, 'log');
    const set = await mcpTools({
      name: 'p',
      command: node,
      args: [PROBE],
      env: { PROBE_LOG: logFile },
    });
    try {
      const ac = new AbortController();
      const call = set.tools
        .find((t) => t.name === 'p.wait')!
        .execute({ ms: 20_000 }, ctx(ac.signal));
      setTimeout(() => ac.abort(new Error('user gave up')), 200);
      await expect(call).rejects.toThrow('user gave up');
      await waitFor(() => readFileSync(logFile, 'utf8').includes('cancelled'));
      expect(readFileSync(logFile, 'utf8')).toMatch(/cancelled .*user gave up/);
    } finally {
      await set.close();
    }
  });

  it("a plan node's timeout cancels the MCP call on the server", async () => {
    const dir = tempDir('timeout');
    const logFile = join(dir, 'log');
    const set = await mcpTools({
      name: 'p',
      command: node,
      args: [PROBE],
      env: { PROBE_LOG: logFile },
    });
    try {
      const plan = {
        version: 1,
        nodes: [{ id: 'w', call: 'p.wait', args: { ms: 20_000 }, timeout_ms: 300 }],
      };
      const r = await executePlan(plan, { tools: set.addTo(new ToolRegistry()) });
      expect(r.status).toBe('failed');
      expect((r as { error: { name: string } }).error.name).toBe('Timeout');
      await waitFor(() => readFileSync(logFile, 'utf8').includes('cancelled'));
    } finally {
      await set.close();
    }
  });

  it('refreshes the registry when the server says its tool list changed', async () => {
    const set = await mcpTools({ command: node, args: [PROBE] });
    try {
      const registry = set.addTo(new ToolRegistry());
      expect(registry.has('later')).toBe(false);
      await registry.get('enable_more')!.tool.execute({}, ctx(new AbortController().signal));
      await waitFor(() => registry.has('later'));
      expect(
        await registry.get('later')!.tool.execute({}, ctx(new AbortController().signal)),
      ).toEqual([{ type: 'text', text: 'later' }]);
    } finally {
      await set.close();
    }
  });

  it('restarts a crashed stdio server once, then names it and its stderr', async () => {
    const set = await mcpTools({ name: 'p', command: node, args: [PROBE] });
    const signal = new AbortController().signal;
    const tool = (n: string) => set.tools.find((t) => t.name === `p.${n}`)!;
    try {
      const first = set.connection.pid!;
      const crash = tool('crash').execute({}, ctx(signal));
      await expect(crash).rejects.toMatchObject({ code: 'mcp_server_crashed' });
      await expect(crash).rejects.toThrow(/crashing on purpose/);
      expect(await tool('wait').execute({ ms: 1 }, ctx(signal))).toEqual([
        { type: 'text', text: 'waited' },
      ]);
      expect(set.connection.restarts).toBe(1);
      expect(set.connection.pid).not.toBe(first);
      process.kill(set.connection.pid!, 'SIGKILL');
      await waitFor(() => !isAlive(set.connection.pid!));
      await new Promise((r) => setTimeout(r, 100));
      const down = tool('wait').execute({ ms: 1 }, ctx(signal));
      await expect(down).rejects.toBeInstanceOf(ToolError);
      await expect(down).rejects.toThrow(/stopped again after a restart/);
      await expect(down).rejects.toThrow(PROBE);
    } finally {
      await set.close();
    }
  });

  it("treats a server's error text as untrusted: escapes removed, cut short", async () => {
    const set = await mcpTools({ command: node, args: [PROBE] });
    try {
      const err = await Promise.resolve(
        set.tools.find((t) => t.name === 'shout')!.execute({}, ctx(new AbortController().signal)),
      ).catch((e) => e);
      expect(err).toBeInstanceOf(ToolError);
      expect(err.message).not.toContain('\u001b');
      expect(err.message.length).toBeLessThan(1200);
      expect(err.message).toMatch(/cut, \d+ characters in all/);
    } finally {
      await set.close();
    }
  });

  it('closing leaves no process behind', async () => {
    const sets = await openMcpServers([{ command: node, args: [PROBE] }, everythingStdio('ev')]);
    const pids = sets.map((s) => s.connection.pid!);
    expect(pids.every(isAlive)).toBe(true);
    await Promise.all(sets.map((s) => s.close()));
    await waitFor(() => pids.every((p) => !isAlive(p)));
  });

  it('a server that fails to start is named with its command and its stderr', async () => {
    const err = await mcpTools({
      command: node,
      args: ['-e', 'console.error("no-config-xyz"); process.exit(3)'],
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('failed to start');
    expect(err.message).toContain('no-config-xyz');
    expect(err.message).toContain(node);
    const missing = await mcpTools('/nonexistent/server-binary').catch((e) => e);
    expect(missing).toBeInstanceOf(ConfigError);
    expect(missing.message).toContain('/nonexistent/server-binary');
  });
});

describe('server-filesystem on a temp folder', () => {
  it('a destructive tool waits for approval, and runs once approved', async () => {
    const dir = tempDir('fs');
    writeFileSync(join(dir, 'a.txt'), 'alpha');
    const set = await mcpTools(`fs=${node} ${FILESYSTEM} ${dir}`);
    try {
      const registry = set.addTo(new ToolRegistry());
      expect(registry.get('fs.write_file')?.tool.requires_approval).toBe(true);
      expect(registry.get('fs.read_text_file')?.tool.requires_approval).toBe(false);
      const store = new MemoryJournalStore();
      const target = join(dir, 'b.txt');
      const plan = {
        version: 1,
        nodes: [
          { id: 'read', call: 'fs.read_text_file', args: { path: join(dir, 'a.txt') } },
          {
            id: 'write',
            call: 'fs.write_file',
            args: { path: target, content: '${read.content + "!"}' },
          },
        ],
        output: '${read.content}',
      };
      const first = await executePlan(plan, { tools: registry, store });
      expect(first.status).toBe('suspended');
      expect(() => readFileSync(target)).toThrow();
      const done = await resumeRun(first.runId, {
        tools: registry,
        store,
        approveNodes: ['write'],
      });
      expect(done.status).toBe('succeeded');
      expect(readFileSync(target, 'utf8')).toBe('alpha!');
    } finally {
      await set.close();
    }
  });
});

describe('server-everything over HTTP on 127.0.0.1', () => {
  it('Streamable HTTP: lists and calls', async () => {
    const server = await startEverythingHttp('streamableHttp');
    try {
      const set = await mcpTools(server.url, { name: 'web' });
      try {
        const registry = set.addTo(new ToolRegistry());
        const r = await executePlan(
          {
            version: 1,
            nodes: [{ id: 's', call: 'web.get-sum', args: { a: 2, b: 3 } }],
            output: '${s[0].text}',
          },
          { tools: registry },
        );
        expect(r).toMatchObject({ status: 'succeeded', output: 'The sum of 2 and 3 is 5.' });
      } finally {
        await set.close();
      }
    } finally {
      await server.stop();
    }
  });

  it('falls back to HTTP+SSE for a server that only speaks it', async () => {
    const server = await startEverythingHttp('sse');
    try {
      const set = await mcpTools(server.url);
      try {
        expect(set.tools.map((t) => t.name)).toContain('get-sum');
        const out = await set.tools
          .find((t) => t.name === 'echo')!
          .execute({ message: 'hi' }, ctx(new AbortController().signal));
        expect(JSON.stringify(out)).toContain('hi');
      } finally {
        await set.close();
      }
    } finally {
      await server.stop();
    }
  });
});
