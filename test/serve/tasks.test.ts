import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelFromOptions } from '../../src/cli/loop-support.ts';
import { type RunningServer, startServer } from '../../src/serve/server.ts';
import { capBudgets } from '../../src/serve/task-service.ts';
import { loadRegistry } from '../../src/tool/load-tools-module.ts';
import {
  type Client,
  call,
  readSse,
  TOOLS_MODULE,
  tempDir,
  until,
} from './support/serve-client.ts';
import { ANSWER, writeTaskCassette } from './support/task-cassette.ts';

let dir: string;
let server: RunningServer;
let c: Client;

beforeAll(async () => {
  dir = tempDir();
  process.env.SERVE_LOG = join(dir, 'log');
  const cassette = writeTaskCassette(dir);
  server = await startServer({
    tools: await loadRegistry([TOOLS_MODULE]),
    model: () => modelFromOptions({ cassette }),
    journalDir: join(dir, 'journal'),
    port: 0,
    token: 'task-token',
    budgets: { maxLlmCalls: 5 },
  });
  c = { base: server.url, token: server.token };
});

afterAll(async () => {
  await server.drain(1000);
  delete process.env.SERVE_LOG;
  rmSync(dir, { recursive: true, force: true });
});

describe('a task replayed from a cassette, end to end over HTTP', () => {
  it('plans, runs, waits for an approval given through the API, answers, and keeps the conversation', async () => {
    const started = await call(c, 'POST', '/v1/tasks', {
      message: 'Tell ops when the chain is done.',
      conversation_id: 'conv-1',
      budgets: { maxLlmCalls: 50 },
    });
    expect(started.status).toBe(202);
    const id = started.body.id;
    const before = await readSse(c, started.body.events, {
      stop: (e) => e.event === 'task.suspended',
    });
    const types = before.map((e) => e.event);
    expect(types.slice(0, 2)).toEqual(['task.started', 'llm.started']);
    expect(types).toContain('plan.validated');
    const execTypes = before.filter((e) => e.event === 'exec').map((e) => e.data.event.type);
    expect(execTypes).toContain('node.waiting');
    const waiting = await until(async () => {
      const t = (await call(c, 'GET', `/v1/tasks/${id}`)).body;
      return t.status === 'suspended' ? t.waiting : undefined;
    });
    expect(waiting).toEqual([
      { key: 'tell', node: 'tell', tool: 'send', args: { to: 'ops', text: 'first+second' } },
    ]);
    const view = (await call(c, 'GET', `/v1/tasks/${id}/view`)).body;
    expect(view.plans[0].graph).toContain('data-node="tell"');
    expect(view.plans[0].graph).toMatch(/class="node waiting[^"]*" data-node="tell"/);

    expect(
      (await call(c, 'POST', `/v1/tasks/${id}/approvals`, { node: 'tell', approved: true })).status,
    ).toBe(202);
    const after = await readSse(c, started.body.events, { lastEventId: before.at(-1)!.id });
    expect(after.at(-1)?.data).toMatchObject({ type: 'task.answered', answer: ANSWER });
    // The answer streamed as the LLM wrote it, before the task said it was answered.
    const streamed = after.filter((e) => e.event === 'llm.text').map((e) => e.data.text);
    expect(streamed.join('')).toBe(ANSWER);
    // The record is saved just after the loop's last event.
    const done = await until(async () => {
      const t = (await call(c, 'GET', `/v1/tasks/${id}`)).body;
      return t.status === 'running' ? undefined : t;
    });
    expect(done).toMatchObject({ status: 'succeeded', answer: ANSWER, conversationId: 'conv-1' });
    // Two LLM calls (plan, join): the server's cap of 5 held against the asked 50.
    expect(done.usage.llmCalls).toBe(2);
    const conv = (await call(c, 'GET', '/v1/conversations/conv-1')).body;
    expect(conv.messages).toEqual([
      { role: 'user', content: 'Tell ops when the chain is done.' },
      { role: 'assistant', content: ANSWER },
    ]);
    const log = readFileSync(join(dir, 'log'), 'utf8');
    expect(log.match(/^send ops/gm)).toHaveLength(1);
    expect(
      (await call(c, 'GET', '/v1/runs?kind=task')).body.map((s: { id: string }) => s.id),
    ).toContain(id);
  });

  it('a denied call fails with ApprovalDenied and is never sent', async () => {
    const { body } = await call(c, 'POST', '/v1/tasks', { message: 'Tell ops again.' });
    await until(async () =>
      (await call(c, 'GET', `/v1/tasks/${body.id}`)).body.status === 'suspended' ? true : undefined,
    );
    expect(
      (await call(c, 'POST', `/v1/tasks/${body.id}/approvals`, { node: 'tell', approved: false }))
        .status,
    ).toBe(202);
    const events = await readSse(c, body.events);
    const execs = events.filter((e) => e.event === 'exec').map((e) => e.data.event);
    expect(execs.some((e) => e.type === 'node.failed' && e.error.name === 'ApprovalDenied')).toBe(
      true,
    );
    expect(readFileSync(join(dir, 'log'), 'utf8').match(/^send ops/gm)).toHaveLength(1);
  });

  it('caps every budget at the server limit and keeps the server cap where none is asked', () => {
    expect(
      capBudgets({ maxLlmCalls: 5, deadlineMs: 1000 }, { maxLlmCalls: 50, maxCostUsd: 1 }),
    ).toEqual({
      maxLlmCalls: 5,
      deadlineMs: 1000,
      maxCostUsd: 1,
    });
    expect(capBudgets({ maxLlmCalls: 5 }, { maxLlmCalls: 2 })).toEqual({ maxLlmCalls: 2 });
  });
});
