/**
 * `toolplan serve` under load, measured in one run on this machine (report ratios):
 *   1. tool finished → its `node.succeeded` event read by an SSE client, p50/p99, with 100
 *      runs in flight at once (server and clients in one process: the clients' parsing shares
 *      the server's event loop, so this is an upper bound);
 *   2. POST /v1/runs throughput for a 3-node plan (runs/s, until each run is finished) against
 *      executePlan in-process on the same kind of file journal: a ratio;
 *   3. the server's resident memory (a real `toolplan serve` process) with 1,000 finished
 *      runs kept, and after a restart that loads them.
 * Run: node --import tsx bench/serve.bench.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { executePlan } from '../src/exec/execute-plan.ts';
import { FileJournalStore } from '../src/exec/file-journal-store.ts';
import { startServer } from '../src/serve/server.ts';
import { ToolRegistry } from '../src/tool/registry.ts';
import { validatePlan } from '../src/validate/index.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'toolplan-serve-bench-'));
const finishedAt = new Map<string, number>();
const tools = ToolRegistry.from([
  {
    name: 'tick',
    description: 'waits ms, notes when it finished',
    inputSchema: { type: 'object', properties: { ms: { type: 'number' } }, required: ['ms'] },
    execute: async ({ ms }: { ms: number }, ctx: { idempotencyKey: string }) => {
      if (ms > 0) await new Promise((r) => setTimeout(r, ms));
      finishedAt.set(ctx.idempotencyKey, performance.now());
      return { ok: true };
    },
  },
]);
/** `n` calls in a chain; the first waits `firstMs` (time for every SSE client to connect). */
const chainPlan = (n: number, ms: number, firstMs = ms) => ({
  version: 1,
  nodes: Array.from({ length: n }, (_, i) => ({
    id: `n${i}`,
    call: 'tick',
    args: i === 0 ? { ms: firstMs } : { ms: `\${n${i - 1}.ok ? ${ms} : 0}` },
  })),
});
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

async function sseLatencies(base: string, token: string, runs: number): Promise<number[]> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const lat: number[] = [];
  let connected = 0;
  const one = async () => {
    const r = await fetch(`${base}/v1/runs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ plan: chainPlan(5, 20, 3000) }),
    });
    const { id, events } = (await r.json()) as { id: string; events: string };
    const res = await fetch(`${base}${events}`, { headers });
    const listening = performance.now();
    connected++;
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      const now = performance.now();
      buf += decoder.decode(chunk, { stream: true });
      let cut = buf.indexOf('\n\n');
      while (cut >= 0) {
        const data = buf
          .slice(0, cut)
          .split('\n')
          .find((l) => l.startsWith('data: '));
        buf = buf.slice(cut + 2);
        if (data) {
          const e = JSON.parse(data.slice(6));
          const t = e.type === 'node.succeeded' ? finishedAt.get(`${id}/${e.key}`) : undefined;
          // Only events that happened while this client was listening (not a replay).
          if (t !== undefined && t > listening) lat.push(now - t);
        }
        cut = buf.indexOf('\n\n');
      }
    }
  };
  await Promise.all(Array.from({ length: runs }, one));
  if (connected !== runs) throw new Error(`${connected} of ${runs} clients connected`);
  return lat;
}

async function throughput(
  base: string,
  token: string,
  runs: number,
  concurrency: number,
  server: Awaited<ReturnType<typeof startServer>>,
): Promise<number> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const body = JSON.stringify({ plan: chainPlan(3, 0) });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < runs) {
        next++;
        const r = await fetch(`${base}/v1/runs`, { method: 'POST', headers, body });
        const { id } = (await r.json()) as { id: string };
        await server.runs.settled(id);
      }
    }),
  );
  return runs / ((performance.now() - t0) / 1000);
}

async function inProcess(runs: number, concurrency: number, validate = false): Promise<number> {
  const store = new FileJournalStore(join(dir, 'inproc'));
  const plan = chainPlan(3, 0);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < runs) {
        next++;
        if (validate && !validatePlan(plan, tools).valid) throw new Error('invalid');
        await executePlan(plan, { tools, store });
      }
    }),
  );
  await store.closeAll();
  return runs / ((performance.now() - t0) / 1000);
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? Number.NaN) / 1024;
}

async function serveProcess(journal: string, toolsFile: string) {
  const child = spawn(
    process.execPath,
    [
      join(root, 'bin', 'toolplan'),
      'serve',
      '--port',
      '0',
      '--journal',
      journal,
      '--tools',
      toolsFile,
    ],
    {
      // The sources this bench imports, not whatever dist/ was last built from them.
      env: { ...process.env, TOOLPLAN_TOKEN: 'bench', TOOLPLAN_FROM_SOURCE: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  const base = await new Promise<string>((r, reject) => {
    child.stderr.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m?.[1]) r(m[1]);
    });
    child.on('exit', (c) => reject(new Error(`serve exited ${c}: ${err}`)));
  });
  return { child, base };
}

async function memory(count: number): Promise<{ idle: number; kept: number; restarted: number }> {
  const toolsFile = join(dir, 'tools.mjs');
  writeFileSync(
    toolsFile,
    `export const tools = [{ name: 'tick', description: 'returns', inputSchema: { type: 'object', properties: { ms: { type: 'number' } } }, execute: () => ({ ok: true }) }];\n`,
  );
  const journal = join(dir, 'mem-journal');
  const first = await serveProcess(journal, toolsFile);
  await new Promise((r) => setTimeout(r, 500));
  const idle = rssMb(first.child.pid as number);
  const headers = { authorization: 'Bearer bench', 'content-type': 'application/json' };
  const body = JSON.stringify({ plan: chainPlan(3, 0) });
  const ids: string[] = [];
  for (let i = 0; i < count; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, async () => {
        const r = await fetch(`${first.base}/v1/runs`, { method: 'POST', headers, body });
        return ((await r.json()) as { id: string }).id;
      }),
    );
    ids.push(...batch);
  }
  for (;;) {
    const list = (await (
      await fetch(`${first.base}/v1/runs?status=succeeded&limit=1000`, { headers })
    ).json()) as unknown[];
    if (list.length >= count) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 1000));
  const kept = rssMb(first.child.pid as number);
  first.child.kill('SIGTERM');
  await new Promise((r) => first.child.on('exit', r));
  const second = await serveProcess(journal, toolsFile);
  await new Promise((r) => setTimeout(r, 1000));
  const restarted = rssMb(second.child.pid as number);
  second.child.kill('SIGTERM');
  await new Promise((r) => second.child.on('exit', r));
  return { idle, kept, restarted };
}

const server = await startServer({
  tools,
  journalDir: join(dir, 'journal'),
  port: 0,
  token: 'bench',
  limits: { max_concurrency: 16 },
});
try {
  const RUNS = Number(process.env.RUNS ?? 100);
  const lat = await sseLatencies(server.url, server.token, RUNS);
  console.log(
    `| tool finished → SSE client (${RUNS} concurrent runs × 5 calls, ${lat.length} events) | ms |\n| --- | ---: |`,
  );
  console.log(
    `| p50 | ${pct(lat, 50).toFixed(2)} |\n| p99 | ${pct(lat, 99).toFixed(2)} |\n| max | ${Math.max(...lat).toFixed(2)} |`,
  );
  const N = Number(process.env.THROUGHPUT_RUNS ?? 300);
  const http = await throughput(server.url, server.token, N, 20, server);
  const local = await inProcess(N, 20);
  const checked = await inProcess(N, 20, true);
  console.log(`\n| ${N} runs of a 3-call plan, 20 at a time | runs/s |\n| --- | ---: |`);
  console.log(
    `| POST /v1/runs (until finished) | ${http.toFixed(0)} |\n| executePlan in-process, file journal | ${local.toFixed(0)} |\n| validatePlan + executePlan in-process (what the server does) | ${checked.toFixed(0)} |\n| ratio HTTP / executePlan | ${(http / local).toFixed(2)} |\n| ratio HTTP / validate + executePlan | ${(http / checked).toFixed(2)} |`,
  );
} finally {
  await server.drain(1000);
}
const COUNT = Number(process.env.MEMORY_RUNS ?? 1000);
const mem = await memory(COUNT);
console.log(`\n| server RSS (a real \`toolplan serve\` process) | MB |\n| --- | ---: |`);
console.log(
  `| idle | ${mem.idle.toFixed(1)} |\n| ${COUNT} finished runs kept | ${mem.kept.toFixed(1)} |\n| restarted with them (summaries loaded) | ${mem.restarted.toFixed(1)} |`,
);
rmSync(dir, { recursive: true, force: true });
