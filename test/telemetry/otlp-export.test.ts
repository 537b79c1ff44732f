import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelFromOptions } from '../../src/cli/loop-support.ts';
import { type RunningServer, startServer } from '../../src/serve/server.ts';
import { startTracing, type Tracing } from '../../src/telemetry/otlp-setup.ts';
import { loadRegistry } from '../../src/tool/load-tools-module.ts';
import {
  type Client,
  call,
  readSse,
  TOOLS_MODULE,
  tempDir,
  until,
} from '../serve/support/serve-client.ts';
import { writeTaskCassette } from '../serve/support/task-cassette.ts';
import { runCli } from '../support/run-cli.ts';

/**
 * Spans exported over OTLP/HTTP by the real SDK exporter to a real receiver on 127.0.0.1
 * started here, then checked for the GenAI names and their parent/child structure.
 */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}

let receiver: Server;
const spans: OtlpSpan[] = [];
let dir: string;
let server: RunningServer;
let tracing: Tracing;
let c: Client;
const saved = { ...process.env };

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v
    ? (v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.boolValue))
    : undefined;
};
const byName = (name: string) => spans.filter((s) => s.name === name);
const parentOf = (s: OtlpSpan) => spans.find((p) => p.spanId === s.parentSpanId);

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.includes('json')) {
        const doc = JSON.parse(body);
        for (const rs of doc.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) spans.push(s);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const t = await startTracing('toolplan-test');
  if (!t) throw new Error('tracing did not start');
  tracing = t;
  dir = tempDir();
  server = await startServer({
    tools: await loadRegistry([TOOLS_MODULE]),
    model: () => modelFromOptions({ cassette: writeTaskCassette(dir) }),
    journalDir: join(dir, 'journal'),
    port: 0,
    token: 'otel',
    observeRun: tracing.observeRun,
    observeTask: tracing.observeTask,
  });
  c = { base: server.url, token: server.token };
});

afterAll(async () => {
  await server?.drain(1000);
  process.env = saved;
  await new Promise((r) => receiver.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('OpenTelemetry over OTLP/HTTP', () => {
  it('exports invoke_agent > plan > chat and invoke_agent > execute_plan > execute_tool per attempt, retries and fallbacks included', async () => {
    const plan = {
      version: 1,
      nodes: [
        { id: 'f', call: 'flaky', args: { fails: 1 }, retry: { attempts: 3, delay_ms: 5 } },
        {
          id: 'g',
          call: 'flaky',
          args: { fails: 9 },
          fallback: [{ call: 'wait', args: { ms: 5, label: 'fb' } }],
        },
      ],
    };
    const run = await call(c, 'POST', '/v1/runs', { plan });
    await readSse(c, run.body.events);
    const task = await call(c, 'POST', '/v1/tasks', {
      message: 'Tell ops when the chain is done.',
    });
    await until(async () =>
      (await call(c, 'GET', `/v1/tasks/${task.body.id}`)).body.status === 'suspended'
        ? true
        : undefined,
    );
    await call(c, 'POST', `/v1/tasks/${task.body.id}/approvals`, { node: 'tell', approved: true });
    await readSse(c, task.body.events);
    await tracing.shutdown();

    // The plan run: one span per attempt under its execute_plan span.
    const root = byName('execute_plan').find((s) => attr(s, 'toolplan.run.id') === run.body.id)!;
    expect(root.parentSpanId ?? '').toBe('');
    const tools = spans.filter((s) => s.parentSpanId === root.spanId);
    const f = tools.filter((s) => attr(s, 'toolplan.node.id') === 'f');
    expect(
      f.map((s) => [s.name, attr(s, 'toolplan.attempt'), attr(s, 'toolplan.outcome')]),
    ).toEqual([
      ['execute_tool flaky', 1, 'retrying'],
      ['execute_tool flaky', 2, 'succeeded'],
    ]);
    expect(attr(f[0]!, 'gen_ai.tool.name')).toBe('flaky');
    expect(attr(f[0]!, 'gen_ai.tool.call.id')).toBe('f');
    expect(attr(f[0]!, 'toolplan.idempotency_key')).toBe(`${run.body.id}/f`);
    const g = tools.filter((s) => attr(s, 'toolplan.node.id') === 'g');
    expect(g.map((s) => s.name)).toEqual(['execute_tool flaky', 'execute_tool wait']);
    expect(attr(g[1]!, 'toolplan.fallback.index')).toBe(0);
    expect(attr(g[1]!, 'toolplan.idempotency_key')).toBe(`${run.body.id}/g/fallback/0`);
    // Content is off by default.
    expect(spans.some((s) => s.attributes.some((a) => a.key === 'gen_ai.tool.call.result'))).toBe(
      false,
    );

    // The task: its agent span holds the planning step (with its LLM call) and the execution.
    const agents = byName('invoke_agent toolplan');
    expect(agents.length).toBeGreaterThanOrEqual(2); // the task and its resumption after the approval
    const planSpan = byName('plan')[0]!;
    expect(parentOf(planSpan)?.name).toBe('invoke_agent toolplan');
    const chat = spans.find(
      (s) => s.name.startsWith('chat') && s.parentSpanId === planSpan.spanId,
    )!;
    expect(attr(chat, 'gen_ai.operation.name')).toBe('chat');
    expect(attr(chat, 'gen_ai.usage.input_tokens')).toBeGreaterThan(0);
    expect(attr(chat, 'gen_ai.usage.output_tokens')).toBeGreaterThan(0);
    const send = byName('execute_tool send')[0]!;
    const exec = parentOf(send)!;
    expect(exec.name).toBe('execute_plan');
    expect(parentOf(exec)?.name).toBe('invoke_agent toolplan');
    const firstStep = byName('execute_tool wait').find(
      (s) => attr(s, 'toolplan.node.id') === 'first',
    )!;
    expect(parentOf(parentOf(firstStep)!)?.name).toBe('invoke_agent toolplan');
    expect(firstStep.traceId).toBe(planSpan.traceId);
  }, 60_000);

  it('`toolplan exec` exports its spans too when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    const before = spans.length;
    const planFile = join(dir, 'plan.json');
    writeFileSync(
      planFile,
      JSON.stringify({
        version: 1,
        nodes: [{ id: 'w', call: 'wait', args: { ms: 5, label: 'cli' } }],
      }),
    );
    const r = await runCli(
      ['exec', planFile, '--tools', TOOLS_MODULE, '--journal', join(dir, 'cli-journal')],
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '' },
      },
    );
    expect(r.code).toBe(0);
    const fresh = spans.slice(before);
    const tool = fresh.find((s) => s.name === 'execute_tool wait')!;
    expect(attr(tool, 'toolplan.node.id')).toBe('w');
    expect(fresh.find((s) => s.spanId === tool.parentSpanId)?.name).toBe('execute_plan');
  }, 60_000);
});
