import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/serve/server.ts';
import { loadRegistry } from '../../src/tool/load-tools-module.ts';
import {
  type Client,
  call,
  readSse,
  TOOLS_MODULE,
  tempDir,
  until,
} from './support/serve-client.ts';

let dir: string;
let server: RunningServer;
let c: Client;
const log = () => readFileSync(join(dir, 'log'), 'utf8').trim().split('\n');

const chain = (ms = 30) => ({
  version: 1,
  goal: 'a chain',
  nodes: [
    { id: 'a', call: 'wait', args: { ms, label: 'a' } },
    { id: 'b', call: 'wait', args: { ms, label: '${a.label}-b' } },
    { id: 'c', call: 'wait', args: { ms, label: '${b.label}-c' } },
  ],
  output: '${c.label}',
});

beforeAll(async () => {
  dir = tempDir();
  process.env.SERVE_LOG = join(dir, 'log');
  server = await startServer({
    tools: await loadRegistry([TOOLS_MODULE]),
    journalDir: join(dir, 'journal'),
    port: 0,
    token: 'test-token',
    maxBodyBytes: 20_000,
    limits: { max_concurrency: 4, max_tool_calls: 50 },
  });
  c = { base: server.url, token: server.token };
});

afterAll(async () => {
  await server.drain(1000);
  delete process.env.SERVE_LOG;
  rmSync(dir, { recursive: true, force: true });
});

describe('safe by default', () => {
  it('binds 127.0.0.1 and refuses requests without the token or with a wrong one', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const path of ['/v1/runs', '/v1/tools', '/openapi.json']) {
      expect((await fetch(`${c.base}${path}`)).status).toBe(401);
      expect((await call({ ...c, token: 'nope' }, 'GET', path)).status).toBe(401);
    }
    expect(
      (await call({ ...c, token: 'nope' }, 'POST', '/v1/runs', { plan: chain() })).status,
    ).toBe(401);
  });

  it('sends no CORS headers unless asked', async () => {
    const res = await fetch(`${c.base}/v1/runs`, {
      headers: { origin: 'https://evil.example', authorization: `Bearer ${c.token}` },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers CORS only for the origin given with --cors', async () => {
    const other = await startServer({
      tools: await loadRegistry([TOOLS_MODULE]),
      journalDir: join(dir, 'cors-journal'),
      port: 0,
      token: 't',
      cors: 'http://console.example',
    });
    try {
      const ok = await fetch(`${other.url}/v1/runs`, {
        headers: { origin: 'http://console.example', authorization: 'Bearer t' },
      });
      expect(ok.headers.get('access-control-allow-origin')).toBe('http://console.example');
      const pre = await fetch(`${other.url}/v1/runs`, {
        method: 'OPTIONS',
        headers: { origin: 'http://console.example', 'access-control-request-method': 'POST' },
      });
      expect(pre.status).toBe(204);
      const evil = await fetch(`${other.url}/v1/runs`, {
        headers: { origin: 'https://evil.example', authorization: 'Bearer t' },
      });
      expect(evil.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    } finally {
      await other.drain(100);
    }
  });

  it('serves the console without the token (it holds no data) with a strict CSP', async () => {
    const res = await fetch(`${c.base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await res.text()).toContain('/console/app.js');
    expect((await fetch(`${c.base}/console/report.css`)).status).toBe(200);
  });

  it('answers malformed, mistyped and oversized bodies with 400/413 and issues as data', async () => {
    const bad = await call(c, 'POST', '/v1/runs', '{"plan": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('bad_json');
    const typed = await call(c, 'POST', '/v1/runs', { plan: chain(), extra: 1 });
    expect(typed.status).toBe(400);
    expect(typed.body.issues[0]).toMatchObject({ code: 'unrecognized_keys' });
    const wrong = await call(c, 'POST', '/v1/tasks', { message: 42 });
    expect(wrong.status).toBe(400);
    expect(wrong.body.issues[0].path).toBe('/message');
    const invalid = await call(c, 'POST', '/v1/runs', {
      plan: { version: 1, nodes: [{ id: 'x', call: 'nope', args: {} }] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('plan_invalid');
    expect(invalid.body.issues.some((i: { path: string }) => i.path.startsWith('/nodes/0'))).toBe(
      true,
    );
    const big = await call(c, 'POST', '/v1/plans/validate', { plan: 'x'.repeat(30_000) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('body_too_large');
    for (const r of [bad, typed, wrong, invalid, big])
      expect(JSON.stringify(r.body)).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('the API', () => {
  it('refuses tasks with a clear 400 when the server has no LLM', async () => {
    const r = await call(c, 'POST', '/v1/tasks', { message: 'hello' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('no_model');
    expect(r.body.error.message).toContain('--cassette');
  });

  it('lists the tools and serves an OpenAPI document generated from the request schemas', async () => {
    const tools = await call(c, 'GET', '/v1/tools');
    expect(tools.body.map((t: { name: string }) => t.name).sort()).toEqual([
      'flaky',
      'send',
      'wait',
    ]);
    const doc = (await call(c, 'GET', '/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const runBody = doc.paths['/v1/runs'].post.requestBody.content['application/json'].schema;
    expect(runBody.required).toEqual(['plan']);
    expect(runBody.additionalProperties).toBe(false);
    expect(
      doc.paths['/v1/tasks/{id}/approvals'].post.requestBody.content['application/json'].schema
        .properties.approved.type,
    ).toBe('boolean');
    expect(Object.keys(doc.paths)).toContain('/v1/plans/validate');
  });

  it('validates a plan, object or text, with issues at JSON paths', async () => {
    const ok = await call(c, 'POST', '/v1/plans/validate', { plan: chain() });
    expect(ok.body).toMatchObject({ valid: true });
    const text = await call(c, 'POST', '/v1/plans/validate', { plan: JSON.stringify(chain()) });
    expect(text.body.valid).toBe(true);
    const bad = await call(c, 'POST', '/v1/plans/validate', {
      plan: { version: 1, nodes: [{ id: 'a', call: 'wait', args: { ms: 'x', label: 'a' } }] },
    });
    expect(bad.body.valid).toBe(false);
    expect(bad.body.issues[0].path).toMatch(/^\/nodes\/0\/args/);
  });

  it('runs a plan: 202 at once, events as SSE to the end, then state, output and listing', async () => {
    const started = await call(c, 'POST', '/v1/runs', {
      plan: chain(),
      limits: { max_concurrency: 100 },
    });
    expect(started.status).toBe(202);
    const id = started.body.id;
    const events = await readSse(c, started.body.events);
    expect(events.at(-1)?.event).toBe('run.finished');
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i));
    const run = (await call(c, 'GET', `/v1/runs/${id}`)).body;
    expect(run).toMatchObject({
      id,
      kind: 'run',
      status: 'succeeded',
      output: 'a-b-c',
      title: 'a chain',
    });
    // The server's max_concurrency (4) is not loosened by the request's 100.
    expect(events[0]?.data.options.limits.max_concurrency).toBe(4);
    const listed = (await call(c, 'GET', '/v1/runs?status=succeeded&kind=run')).body;
    expect(listed.map((s: { id: string }) => s.id)).toContain(id);
    expect(
      (await call(c, 'GET', '/v1/runs?status=failed')).body.map((s: { id: string }) => s.id),
    ).not.toContain(id);
    expect((await call(c, 'GET', '/v1/runs?status=bogus')).status).toBe(400);
    const view = (await call(c, 'GET', `/v1/runs/${id}/view`)).body;
    expect(view.plans[0].graph).toContain('class="node succeeded');
    expect(view.plans[0].nodes.find((n: { key: string }) => n.key === 'c').output).toEqual({
      label: 'a-b-c',
      ms: 30,
    });
  });

  it('announces list changes live on /v1/events', async () => {
    const seen = readSse(c, '/v1/events', {
      stop: (e, all) => all.some((x) => x.data.id === e.data.id && e.data.status === 'succeeded'),
    });
    await new Promise((r) => setTimeout(r, 100));
    const { body } = await call(c, 'POST', '/v1/runs', { plan: chain(5) });
    const events = await seen;
    const mine = events.filter((e) => e.data.id === body.id).map((e) => [e.event, e.data.status]);
    expect(mine[0]).toEqual(['summary', 'running']);
    expect(mine.at(-1)).toEqual(['summary', 'succeeded']);
  });

  it('replays from Last-Event-ID: a client that drops and reconnects misses nothing', async () => {
    const { body } = await call(c, 'POST', '/v1/runs', { plan: chain(150) });
    const first = await readSse(c, body.events, { stop: (_e, all) => all.length === 3 });
    expect(first).toHaveLength(3);
    const rest = await readSse(c, body.events, { lastEventId: first.at(-1)!.id });
    const seen = [...first, ...rest].map((e) => e.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(seen.map((_, i) => i));
    expect(rest.at(-1)?.event).toBe('run.finished');
    // A finished run replays whole from the journal, and from any point.
    const again = await readSse(c, body.events);
    expect(again.map((e) => e.id)).toEqual(seen);
    const tail = await readSse(c, body.events, { lastEventId: 5 });
    expect(tail.map((e) => e.id)).toEqual(seen.slice(6));
  });

  it('loses nothing and repeats nothing across many reconnects at random points of a busy run', async () => {
    const plan = {
      version: 1,
      nodes: [
        {
          id: 'm',
          map: '${input.items}',
          as: 'x',
          do: [{ id: 'w', call: 'wait', args: { ms: 2, label: '${string(x)}' } }],
        },
      ],
    };
    const items = Array.from({ length: 40 }, (_, i) => i);
    const { body } = await call(c, 'POST', '/v1/runs', { plan, input: { items } });
    const seen: number[] = [];
    let last: number | undefined;
    // Seeded, so a failure replays the same reconnect points.
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 200; round++) {
      const take = 1 + Math.floor(random() * 7);
      const got = await readSse(c, body.events, {
        ...(last !== undefined ? { lastEventId: last } : {}),
        stop: (_e, all) => all.length >= take,
      });
      seen.push(...got.map((e) => e.id));
      last = got.at(-1)?.id ?? last;
      if (got.at(-1)?.event === 'run.finished') break;
    }
    const journal = (await call(c, 'GET', `/v1/runs/${body.id}`)).body;
    expect(journal.status).toBe('succeeded');
    const all = await readSse(c, body.events);
    expect(seen).toEqual(all.map((e) => e.id));
    expect(all.length).toBeGreaterThan(80);
  });

  it('approves a waiting call through the API, and refuses a node that is not waiting', async () => {
    const plan = {
      version: 1,
      nodes: [
        { id: 'a', call: 'wait', args: { ms: 10, label: 'a' } },
        { id: 'tell', call: 'send', args: { to: 'ops', text: '${a.label}' } },
      ],
      output: '${tell.sent}',
    };
    const { body } = await call(c, 'POST', '/v1/runs', { plan });
    const suspended = await until(async () => {
      const r = (await call(c, 'GET', `/v1/runs/${body.id}`)).body;
      return r.status === 'suspended' ? r : undefined;
    });
    expect(suspended.waiting).toEqual([
      { key: 'tell', node: 'tell', tool: 'send', args: { to: 'ops', text: 'a' } },
    ]);
    expect(
      (await call(c, 'POST', `/v1/runs/${body.id}/approvals`, { node: 'a', approved: true }))
        .status,
    ).toBe(409);
    expect(
      (
        await call(c, 'POST', `/v1/runs/${body.id}/approvals`, {
          node: 'tell',
          approved: true,
          note: 'ok',
        })
      ).status,
    ).toBe(202);
    const events = await readSse(c, body.events);
    expect(events.some((e) => e.event === 'approval.decided' && e.data.approved === true)).toBe(
      true,
    );
    expect((await call(c, 'GET', `/v1/runs/${body.id}`)).body).toMatchObject({
      status: 'succeeded',
      output: 'ops',
    });
    expect(log().filter((l) => l.startsWith('send ops'))).toHaveLength(1);
  });

  it('cancels a suspended run: the journal says cancelled and the call is never made', async () => {
    const plan = {
      version: 1,
      nodes: [{ id: 'tell', call: 'send', args: { to: 'nobody', text: 'x' } }],
    };
    const { body } = await call(c, 'POST', '/v1/runs', { plan });
    await until(async () =>
      (await call(c, 'GET', `/v1/runs/${body.id}`)).body.status === 'suspended' ? true : undefined,
    );
    expect((await call(c, 'POST', `/v1/runs/${body.id}/cancel`)).body).toEqual({ ok: true });
    const events = await readSse(c, body.events);
    expect(events.at(-1)?.data).toMatchObject({ type: 'run.finished', status: 'cancelled' });
    expect(
      (await call(c, 'POST', `/v1/runs/${body.id}/approvals`, { node: 'tell', approved: true }))
        .status,
    ).toBe(409);
    expect(log().some((l) => l.startsWith('send nobody'))).toBe(false);
  });

  it('cancels a running run, and the cancellation reaches the tool', async () => {
    const { body } = await call(c, 'POST', '/v1/runs', {
      plan: {
        version: 1,
        nodes: [{ id: 'long', call: 'wait', args: { ms: 30_000, label: 'long' } }],
      },
    });
    await readSse(c, body.events, { stop: (e) => e.event === 'node.started' });
    expect((await call(c, 'POST', `/v1/runs/${body.id}/cancel`)).body).toEqual({ ok: true });
    const events = await readSse(c, body.events);
    expect(events.at(-1)?.data).toMatchObject({ type: 'run.finished', status: 'cancelled' });
    expect(log().some((l) => l.startsWith('done long'))).toBe(false);
    expect((await call(c, 'GET', '/v1/runs/nope')).status).toBe(404);
    expect((await call(c, 'POST', '/v1/runs/nope/cancel')).status).toBe(404);
  });
});
