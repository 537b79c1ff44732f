import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, node, repoRoot, tempDir, waitFor } from './support.ts';

const entry = resolve(repoRoot, 'bin', 'toolplan');
// Starting toolplan compiles its sources with tsx: seconds on a loaded 2-core machine.
const STARTUP_MS = 90_000;
const toolsModule = resolve(repoRoot, 'test', 'mcp', 'fixtures', 'server-tools.mjs');
const fanOut = {
  version: 1,
  nodes: [
    { id: 'xs', value: [1, 2, 3] },
    { id: 'ds', map: '${xs}', as: 'x', do: [{ id: 'd', call: 'double', args: { n: '${x}' } }] },
  ],
  output: '${ds.map(r, r.value)}',
};
const gated = {
  version: 1,
  nodes: [
    { id: 'd', call: 'double', args: { n: 21 } },
    { id: 'p', call: 'pay', args: { amount: '${d.value}' } },
  ],
  output: '${p.paid}',
};

type Structured = Record<string, unknown>;
async function call(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  onprogress?: (p: { message?: string }) => void,
) {
  const r = await client.callTool(
    { name, arguments: args },
    CallToolResultSchema,
    onprogress ? { onprogress } : {},
  );
  return { structured: r.structuredContent as Structured, isError: r.isError === true };
}

/** What both transports must do, driven by the official SDK client. */
function behaviour(getClient: () => Client) {
  it('lists its tools, resources and the planner prompt', async () => {
    const client = getClient();
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(['list_tools', 'resume_run', 'run_plan', 'validate_plan']);
    const listed = await call(client, 'list_tools', {});
    expect((listed.structured.tools as { name: string }[]).map((t) => t.name)).toEqual([
      'double',
      'pay',
    ]);
    const schema = await client.readResource({ uri: 'toolplan://plan-schema' });
    expect(JSON.parse((schema.contents[0] as { text: string }).text)).toHaveProperty('properties');
    const format = await client.readResource({ uri: 'toolplan://plan-format' });
    expect((format.contents[0] as { text: string }).text.length).toBeGreaterThan(200);
    const prompt = await client.getPrompt({ name: 'planner', arguments: {} });
    expect(JSON.stringify(prompt.messages)).toContain('double');
  });

  it('validates plans, naming the issue', async () => {
    const client = getClient();
    expect((await call(client, 'validate_plan', { plan: fanOut })).structured.valid).toBe(true);
    const bad = await call(client, 'validate_plan', {
      plan: JSON.stringify({ version: 1, nodes: [{ id: 'd', call: 'duble', args: {} }] }),
    });
    expect(bad.structured.valid).toBe(false);
    expect(JSON.stringify(bad.structured.issues)).toContain('Did you mean');
  });

  it('runs a plan with a progress notification per node', async () => {
    const client = getClient();
    // Read off the wire: the SDK client runs notification handlers a microtask late and
    // drops progress that arrives in the same chunk as the result, so its onprogress
    // alone would make this test depend on how the pipe happened to chunk.
    const onWire: string[] = [];
    const transport = client.transport as { onmessage?: (m: unknown, extra?: unknown) => void };
    const inner = transport.onmessage;
    transport.onmessage = (m, extra) => {
      const msg = m as { method?: string; params?: { message?: string } };
      if (msg.method === 'notifications/progress') onWire.push(msg.params?.message ?? '');
      inner?.(m, extra);
    };
    try {
      const r = await call(client, 'run_plan', { plan: fanOut }, () => {});
      expect(r.structured).toMatchObject({ status: 'succeeded', output: [2, 4, 6] });
    } finally {
      transport.onmessage = inner;
    }
    expect(onWire).toEqual(
      expect.arrayContaining([
        'xs succeeded',
        'd/0 succeeded',
        'd/1 succeeded',
        'd/2 succeeded',
        'ds succeeded',
      ]),
    );
  });

  it('suspends at an approval-gated call, and resume_run finishes it', async () => {
    const client = getClient();
    const first = await call(client, 'run_plan', { plan: gated });
    expect(first.structured).toMatchObject({
      status: 'suspended',
      waiting: [{ node: 'p', tool: 'pay', args: { amount: 42 } }],
    });
    const done = await call(client, 'resume_run', {
      run_id: first.structured.run_id,
      approve: ['p'],
    });
    expect(done.structured).toMatchObject({ status: 'succeeded', output: 42 });
    const denied = await call(client, 'run_plan', { plan: gated });
    const refused = await call(client, 'resume_run', {
      run_id: denied.structured.run_id,
      deny: ['p'],
    });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.structured.error)).toContain('ApprovalDenied');
  });

  it('answers an invalid plan with isError and the issues', async () => {
    const r = await call(getClient(), 'run_plan', {
      plan: { version: 1, nodes: [{ id: 'x', call: 'double', args: { n: 'two' } }] },
    });
    expect(r.isError).toBe(true);
    expect(r.structured.status).toBe('invalid');
  });
}

describe('toolplan mcp over stdio, driven by the SDK client', () => {
  const client = new Client({ name: 'test', version: '1.0.0' });
  let transport: StdioClientTransport;
  beforeAll(async () => {
    transport = new StdioClientTransport({
      command: node,
      args: [entry, 'mcp', '--tools', toolsModule, '--journal', join(tempDir('srv'), 'j')],
      cwd: repoRoot,
      stderr: 'pipe',
    });
    await client.connect(transport);
  }, STARTUP_MS);
  afterAll(async () => {
    const pid = transport.pid;
    await client.close();
    if (pid) await waitFor(() => !isAlive(pid));
  });
  behaviour(() => client);
});

describe('toolplan mcp --http on 127.0.0.1, driven by the SDK client', () => {
  const client = new Client({ name: 'test', version: '1.0.0' });
  let child: ReturnType<typeof spawn>;
  let port = 0;
  beforeAll(async () => {
    child = spawn(
      node,
      [
        entry,
        'mcp',
        '--http',
        '0',
        '--tools',
        toolsModule,
        '--journal',
        join(tempDir('http'), 'j'),
      ],
      {
        cwd: repoRoot,
        // No LLM key reaches it: without a provider the server offers no run_task.
        env: { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', OPENAI_BASE_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr?.on('data', (d) => {
      err += d;
    });
    await waitFor(
      () => /listening on (\S+)/.test(err) || child.exitCode !== null,
      STARTUP_MS - 5_000,
    );
    const url = /listening on (\S+)/.exec(err)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    port = Number(new URL(url as string).port);
    await client.connect(new StreamableHTTPClientTransport(new URL(url as string)));
  }, STARTUP_MS);
  afterAll(async () => {
    await client.close();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  });
  behaviour(() => client);

  it('refuses a request whose Host is not 127.0.0.1 (DNS rebinding)', async () => {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'x', version: '1' },
      },
    });
    // node:http, since fetch will not send a Host header of the caller's choosing.
    const status = await new Promise<number | undefined>((res, rej) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/mcp',
          method: 'POST',
          headers: {
            host: 'evil.example',
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
        },
        (r) => {
          r.resume();
          res(r.statusCode);
        },
      );
      req.on('error', rej);
      req.end(body);
    });
    expect(status).toBe(403);
  });
});

describe('toolplan mcp with an LLM configured (a recorded cassette, no network)', () => {
  it(
    'offers run_task, which plans, runs and answers',
    async () => {
      const client = new Client({ name: 'test', version: '1.0.0' });
      const transport = new StdioClientTransport({
        command: node,
        args: [
          entry,
          'mcp',
          '--tools',
          'tools/index.ts',
          '--cassette',
          'evals/cases/chain/cassette.json',
          '--journal',
          join(tempDir('task'), 'j'),
        ],
        cwd: repoRoot,
        stderr: 'pipe',
      });
      await client.connect(transport);
      try {
        expect((await client.listTools()).tools.map((t) => t.name)).toContain('run_task');
        const r = await call(client, 'run_task', {
          task: 'How much has user u1 spent in total, over how many orders?',
        });
        expect(r.isError).toBe(false);
        expect(r.structured).toMatchObject({ status: 'answered', tool_calls: 3 });
        expect(r.structured.answer).toMatch(/^Ada spent [0-9.]+ dollars in [0-9]+ orders$/);
      } finally {
        await client.close();
      }
    },
    STARTUP_MS,
  );
});
