/**
 * MCP costs, all measured in this one run: `node --import tsx bench/mcp.bench.ts`.
 * 1. Per-call overhead of a trivial tool called in-process, as an MCP tool over stdio, and
 *    over Streamable HTTP on 127.0.0.1 (server-everything's `echo`, the same work each way).
 * 2. A 50-call fan-out plan over an MCP server vs 50 sequential `callTool`s from the SDK
 *    client, for an instant tool (`get-sum`) and a tool that takes 20 ms (the probe's `wait`).
 * Reported as medians and ratios; the machine is shared, so only the ratios travel.
 */
import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { executePlan } from '../src/exec/execute-plan.ts';
import { mcpTools } from '../src/mcp/mcp-tools.ts';
import { ToolRegistry } from '../src/tool/registry.ts';
import type { Tool } from '../src/tool/tool.ts';
import { EVERYTHING, freePort, node, PROBE, waitFor } from '../test/mcp/support.ts';

const CALLS = 300;
const ROUNDS = 5;
const ctx = {
  signal: new AbortController().signal,
  idempotencyKey: 'b/n',
  runId: 'b',
  nodeId: 'n',
  attempt: 1,
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function perCallUs(tool: Tool): Promise<number> {
  for (let i = 0; i < 50; i++) await tool.execute({ message: 'warm' }, ctx);
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) await tool.execute({ message: `m${i}` }, ctx);
    rounds.push(((performance.now() - t0) * 1000) / CALLS);
  }
  return median(rounds);
}

async function startHttp(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn(node, [EVERYTHING, 'streamableHttp'], {
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
  await waitFor(() => /listening/i.test(out), 15_000);
  return { url: `http://127.0.0.1:${port}/mcp`, stop: () => child.kill('SIGTERM') };
}

const local: Tool = {
  name: 'echo',
  description: 'Echoes.',
  inputSchema: { type: 'object', properties: { message: { type: 'string' } } },
  execute: async ({ message }: { message: string }) => [{ type: 'text', text: `Echo: ${message}` }],
};

const stdio = await mcpTools({ command: node, args: [EVERYTHING, 'stdio'] });
const http = await startHttp();
const web = await mcpTools(http.url);
const pick = (set: { tools: Tool[] }, name: string) =>
  set.tools.find((t) => t.name === name) as Tool;
const inProcess = await perCallUs(local);
const overStdio = await perCallUs(pick(stdio, 'echo'));
const overHttp = await perCallUs(pick(web, 'echo'));
// The floor: the SDK client's own round trip to the same server, without toolplan's wrapper.
const raw = new Client({ name: 'bench', version: '1' });
await raw.connect(
  new StdioClientTransport({ command: node, args: [EVERYTHING, 'stdio'], stderr: 'ignore' }),
);
const sdkDirect = await perCallUs({
  ...local,
  execute: ({ message }: { message: string }) =>
    raw.callTool({ name: 'echo', arguments: { message } }, CallToolResultSchema),
});
await raw.close();
const rawHttp = new Client({ name: 'bench', version: '1' });
await rawHttp.connect(new StreamableHTTPClientTransport(new URL(http.url)));
const sdkHttp = await perCallUs({
  ...local,
  execute: ({ message }: { message: string }) =>
    rawHttp.callTool({ name: 'echo', arguments: { message } }, CallToolResultSchema),
});
await rawHttp.close();
console.log('| echo tool called | µs per call (median of 5 × 300) | vs in-process |');
console.log('| --- | ---: | ---: |');
console.log(`| in-process | ${inProcess.toFixed(1)} | 1.0 |`);
console.log(
  `| MCP over stdio | ${overStdio.toFixed(1)} | ${(overStdio / inProcess).toFixed(0)}x |`,
);
console.log(
  `| MCP over Streamable HTTP | ${overHttp.toFixed(1)} | ${(overHttp / inProcess).toFixed(0)}x |`,
);
console.log(
  `| SDK client callTool over stdio, no toolplan | ${sdkDirect.toFixed(1)} | ${(sdkDirect / inProcess).toFixed(0)}x |`,
);
console.log(
  `| SDK client callTool over HTTP, no toolplan | ${sdkHttp.toFixed(1)} | ${(sdkHttp / inProcess).toFixed(0)}x |`,
);
console.log(
  `\nHTTP / stdio = ${(overHttp / overStdio).toFixed(2)}; toolplan / bare SDK client: stdio ${(overStdio / sdkDirect).toFixed(2)}, HTTP ${(overHttp / sdkHttp).toFixed(2)}`,
);
await web.close();
http.stop();

/** 50 calls: one fan-out plan through toolplan vs the SDK client calling one after another. */
async function fanOut(
  label: string,
  command: string[],
  toolName: string,
  args: (i: number) => Record<string, unknown>,
) {
  const set = await mcpTools({ command: node, args: command });
  const registry = set.addTo(new ToolRegistry());
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(
    new StdioClientTransport({ command: node, args: command, stderr: 'ignore' }),
  );
  const plan = {
    version: 1,
    nodes: [
      { id: 'xs', value: Array.from({ length: 50 }, (_, i) => i) },
      {
        id: 'all',
        map: '${xs}',
        as: 'i',
        concurrency: 50,
        do: [{ id: 'c', call: toolName, args: args(-1) }],
      },
    ],
    output: '${size(all)}',
  };
  const planMs: number[] = [];
  const seqMs: number[] = [];
  for (let r = 0; r < ROUNDS + 1; r++) {
    let t0 = performance.now();
    const result = await executePlan(plan, { tools: registry, limits: { max_concurrency: 50 } });
    if (result.status !== 'succeeded') throw new Error(JSON.stringify(result));
    if (r > 0) planMs.push(performance.now() - t0);
    t0 = performance.now();
    for (let i = 0; i < 50; i++)
      await client.callTool({ name: toolName, arguments: args(i) }, CallToolResultSchema);
    if (r > 0) seqMs.push(performance.now() - t0);
  }
  await client.close();
  await set.close();
  const p = median(planMs);
  const s = median(seqMs);
  console.log(`| ${label} | ${p.toFixed(1)} | ${s.toFixed(1)} | ${(s / p).toFixed(1)}x |`);
}

console.log(
  '\n| 50 calls over stdio | fan-out plan ms | 50 sequential callTool ms | plan speed-up |',
);
console.log('| --- | ---: | ---: | ---: |');
await fanOut('get-sum (instant)', [EVERYTHING, 'stdio'], 'get-sum', (i) => ({
  a: i < 0 ? '${i}' : i,
  b: 1,
}));
await fanOut('probe wait (20 ms)', [PROBE], 'wait', () => ({ ms: 20 }));
await stdio.close();
