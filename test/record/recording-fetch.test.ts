import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCassette, SECRET_HEADERS } from '../../src/record/cassette.ts';
import { createRecordingFetch } from '../../src/record/recording-fetch.ts';
import { createReplayFetch } from '../../src/record/replay-fetch.ts';
import { openaiChatCompletion, openaiChatStream } from '../../src/record/wire-formats.ts';
import { useWireServer } from '../support/wire-server.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'toolplan-recording-'));

describe('createRecordingFetch', () => {
  it('stores method, path with query, filtered headers, parsed bodies, status and headers', async () => {
    const server = await useWireServer();
    server.enqueue({
      status: 201,
      headers: { 'x-request-id': 'req_42', date: 'Mon, 01 Jan 2024 00:00:00 GMT' },
      json: { created: true },
    });
    const cassettePath = join(tmp(), 'c.json');
    const recording = createRecordingFetch({ cassettePath, env: {}, note: 'how it was made' });
    const response = await recording(`${server.origin}/v1/things?limit=2&order=asc`, {
      method: 'post',
      headers: {
        'content-type': 'application/json',
        'x-stainless-lang': 'js',
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify({ b: 2, a: 1 }),
    });
    expect(await response.json()).toEqual({ created: true });
    await recording.flush();
    const cassette = readCassette(cassettePath);
    expect(cassette).toEqual({
      version: 1,
      note: 'how it was made',
      interactions: [
        {
          request: {
            method: 'POST',
            path: '/v1/things?limit=2&order=asc',
            headers: { 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
            body: { b: 2, a: 1 },
          },
          response: {
            status: 201,
            headers: { 'content-type': 'application/json', 'x-request-id': 'req_42' },
            body: { created: true },
          },
        },
      ],
    });
    expect(recording.cassette).toEqual(cassette);
  });

  it('stores a non-JSON answer as text and a request without body with no body', async () => {
    const server = await useWireServer();
    server.enqueue({ text: 'plain words', headers: { 'content-type': 'text/plain' } });
    const cassettePath = join(tmp(), 'c.json');
    const recording = createRecordingFetch({ cassettePath, env: {} });
    expect(await (await recording(`${server.origin}/hello`)).text()).toBe('plain words');
    await recording.flush();
    const [only] = readCassette(cassettePath).interactions;
    expect(only!.request).toEqual({ method: 'GET', path: '/hello', headers: {} });
    expect(only!.response).toMatchObject({ status: 200, text: 'plain words' });
    expect(only!.response.body).toBeUndefined();
  });

  it('passes SSE through to the caller unchanged and stores it chunk by chunk', async () => {
    const server = await useWireServer();
    const chunks = openaiChatStream({ text: 'streamed reply', chunkSize: 4 });
    server.enqueue({ stream: chunks, chunkMs: 5 });
    const cassettePath = join(tmp(), 'c.json');
    const recording = createRecordingFetch({ cassettePath, env: {} });
    const response = await recording(`${server.origin}/v1/chat/completions`, {
      method: 'POST',
      body: '{}',
    });
    expect(await response.text()).toBe(chunks.join(''));
    await recording.flush();
    const stored = readCassette(cassettePath).interactions[0]!.response;
    expect(stored.stream!.join('')).toBe(chunks.join(''));
    // Paced chunks arrive (and are stored) separately.
    expect(stored.stream!.length).toBeGreaterThan(1);
    expect(stored.cut).toBeUndefined();
    expect(stored.headers['content-type']).toBe('text/event-stream');
  });

  it('marks a JSON body broken halfway as cut and keeps what arrived as text', async () => {
    const server = await useWireServer();
    server.enqueue({ json: openaiChatCompletion({ text: 'x'.repeat(400) }), cutAfter: 0 });
    const cassettePath = join(tmp(), 'c.json');
    const recording = createRecordingFetch({ cassettePath, env: {} });
    const response = await recording(`${server.origin}/v1/chat/completions`, { method: 'POST' });
    await expect(response.text()).rejects.toThrow();
    await recording.flush();
    const stored = readCassette(cassettePath).interactions[0]!.response;
    expect(stored.cut).toBe(true);
    expect(stored.body).toBeUndefined();
    expect(stored.text!.length).toBeGreaterThan(0);
    expect(stored.text!.startsWith('{"id":"chatcmpl-toolplan0001"')).toBe(true);
  });

  it('drops every credential header and scrubs its value wherever it is echoed', async () => {
    // The server echoes the request headers back: a careless provider (or proxy) leaking keys.
    const server = await useWireServer({
      handler: (request) => ({
        json: { echoed: request.headers },
        headers: { 'set-cookie': 'sid=cookie-value-0123456789' },
      }),
    });
    const values = Object.fromEntries(
      [...SECRET_HEADERS]
        .filter((name) => name !== 'set-cookie')
        .map((name) => [name, `secret-for-${name}-0123456789`]),
    );
    values.authorization = 'Bearer sk-bearer-secret-0123456789';
    const cassettePath = join(tmp(), 'c.json');
    const recording = createRecordingFetch({ cassettePath, env: {} });
    const response = await recording(`${server.origin}/v1/echo`, {
      method: 'POST',
      headers: values,
      body: JSON.stringify({ note: 'the bare key: sk-bearer-secret-0123456789' }),
    });
    // The caller still sees the real exchange.
    expect(
      ((await response.json()) as { echoed: Record<string, string> }).echoed['x-api-key'],
    ).toBe(values['x-api-key']);
    await recording.flush();
    const text = readFileSync(cassettePath, 'utf8');
    for (const value of Object.values(values)) expect(text).not.toContain(value);
    expect(text).not.toContain('sk-bearer-secret-0123456789');
    expect(text).not.toContain('cookie-value-0123456789');
    const stored = readCassette(cassettePath).interactions[0]!;
    for (const name of SECRET_HEADERS) {
      expect(stored.request.headers).not.toHaveProperty(name);
      expect(stored.response.headers).not.toHaveProperty(name);
    }
    expect(stored.request.body).toEqual({ note: 'the bare key: [redacted]' });
  });

  it('scrubs key variables and extra secrets from URLs, request bodies and response text', async () => {
    const server = await useWireServer({
      handler: (request) => ({ text: `you sent ${request.path} and ${request.bodyText}` }),
    });
    const openaiKey = 'sk-proj-env-secret-000111222';
    const anthropicKey = 'sk-ant-env-secret-333444555';
    const token = 'anthropic-auth-token-666777';
    const extra = 'custom-secret-888999000';
    const cassettePath = join(tmp(), 'c.json');
    const recording = createRecordingFetch({
      cassettePath,
      env: {
        OPENAI_API_KEY: openaiKey,
        ANTHROPIC_API_KEY: anthropicKey,
        ANTHROPIC_AUTH_TOKEN: token,
      },
      secrets: [extra],
    });
    await (
      await recording(`${server.origin}/v1/echo?key=${openaiKey}&t=${token}`, {
        method: 'POST',
        body: `${anthropicKey} ${extra}`,
      })
    ).text();
    await recording.flush();
    const text = readFileSync(cassettePath, 'utf8');
    for (const secret of [openaiKey, anthropicKey, token, extra])
      expect(text).not.toContain(secret);
    const stored = readCassette(cassettePath).interactions[0]!;
    expect(stored.request.path).toBe('/v1/echo?key=[redacted]&t=[redacted]');
    expect(stored.request.body).toBe('[redacted] [redacted]');
    expect(stored.response.text).toBe(
      'you sent /v1/echo?key=[redacted]&t=[redacted] and [redacted] [redacted]',
    );
  });

  it('reads process.env for key values by default', async () => {
    const server = await useWireServer({ handler: (request) => ({ text: request.bodyText }) });
    const key = 'sk-from-process-env-0123456789';
    const before = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = key;
    try {
      const cassettePath = join(tmp(), 'c.json');
      const recording = createRecordingFetch({ cassettePath });
      await (await recording(`${server.origin}/x`, { method: 'POST', body: key })).text();
      await recording.flush();
      expect(readFileSync(cassettePath, 'utf8')).not.toContain(key);
    } finally {
      if (before === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = before;
    }
  });

  it('stores concurrent exchanges in request order, not in finishing order', async () => {
    const server = await useWireServer({
      handler: (request) => ({
        json: { n: request.body },
        delayMs: request.body === 1 ? 80 : 0,
      }),
    });
    const cassettePath = join(tmp(), 'c.json');
    const recording = createRecordingFetch({ cassettePath, env: {} });
    const ask = (n: number) =>
      recording(`${server.origin}/n`, { method: 'POST', body: String(n) }).then((r) => r.json());
    const answers = await Promise.all([ask(1), ask(2), ask(3)]);
    expect(answers).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    await recording.flush();
    expect(readCassette(cassettePath).interactions.map((i) => i.request.body)).toEqual([1, 2, 3]);
  });

  it('rewrites the file after each exchange, so an interrupted session keeps what finished', async () => {
    const server = await useWireServer({ handler: (r) => ({ json: { path: r.path } }) });
    const dir = tmp();
    const cassettePath = join(dir, 'c.json');
    const recording = createRecordingFetch({ cassettePath, env: {} });
    await (await recording(`${server.origin}/one`)).json();
    await recording.flush();
    expect(readCassette(cassettePath).interactions).toHaveLength(1);
    await (await recording(`${server.origin}/two`)).json();
    await recording.flush();
    expect(readCassette(cassettePath).interactions.map((i) => i.request.path)).toEqual([
      '/one',
      '/two',
    ]);
    expect(readdirSync(dir)).toEqual(['c.json']);
  });

  it('starts a fresh cassette, replacing one already at the path', async () => {
    const server = await useWireServer({ handler: () => ({ json: {} }) });
    const cassettePath = join(tmp(), 'c.json');
    writeFileSync(cassettePath, JSON.stringify({ version: 1, interactions: [{ stale: true }] }));
    const recording = createRecordingFetch({ cassettePath, env: {} });
    await (await recording(`${server.origin}/new`)).json();
    await recording.flush();
    expect(readCassette(cassettePath).interactions.map((i) => i.request.path)).toEqual(['/new']);
  });

  it('forwards a byte or Request body the server can read, and records it as text', async () => {
    const server = await useWireServer({ handler: (r) => ({ text: r.bodyText }) });
    const cassettePath = join(tmp(), 'c.json');
    const recording = createRecordingFetch({ cassettePath, env: {} });
    const bytes = new TextEncoder().encode('{"bytes":true}');
    expect(
      await (await recording(`${server.origin}/b`, { method: 'POST', body: bytes })).text(),
    ).toBe('{"bytes":true}');
    const request = new Request(`${server.origin}/r`, { method: 'PUT', body: '{"request":true}' });
    expect(await (await recording(request)).text()).toBe('{"request":true}');
    await recording.flush();
    expect(
      readCassette(cassettePath).interactions.map((i) => [i.request.method, i.request.body]),
    ).toEqual([
      ['POST', { bytes: true }],
      ['PUT', { request: true }],
    ]);
  });

  it('uses the fetch it is given to reach the network', async () => {
    const seen: string[] = [];
    const cassettePath = join(tmp(), 'c.json');
    const recording = createRecordingFetch({
      cassettePath,
      env: {},
      fetch: async (input) => {
        seen.push(String(input));
        return new Response('{"from":"inner"}', {
          headers: { 'content-type': 'application/json' },
        });
      },
    });
    expect(await (await recording('http://not.contacted.invalid/x')).json()).toEqual({
      from: 'inner',
    });
    await recording.flush();
    expect(seen).toEqual(['http://not.contacted.invalid/x']);
    expect(readCassette(cassettePath).interactions[0]!.response.body).toEqual({ from: 'inner' });
  });

  it('reports a cassette it cannot write through flush, instead of losing it', async () => {
    const server = await useWireServer({ handler: () => ({ json: { ok: true } }) });
    const dir = tmp();
    writeFileSync(join(dir, 'file'), 'a file where a folder should be');
    const recording = createRecordingFetch({ cassettePath: join(dir, 'file', 'c.json'), env: {} });
    // The caller's exchange itself succeeds; the failure to record surfaces on flush.
    expect(await (await recording(`${server.origin}/x`)).json()).toEqual({ ok: true });
    await expect(recording.flush()).rejects.toThrow(/ENOTDIR|EEXIST/);
    // Reported once, then the recorder is settled.
    await expect(recording.flush()).resolves.toBeUndefined();
  });

  it('records what replays: the replayed exchange equals the live one', async () => {
    const server = await useWireServer({
      handler: (r) =>
        r.path === '/sse'
          ? { stream: ['data: 1\n\n', 'data: 2\n\n'], chunkMs: 5 }
          : { status: 404, json: { error: { message: `no ${r.path}` } } },
    });
    const cassettePath = join(tmp(), 'c.json');
    const recording = createRecordingFetch({ cassettePath, env: {} });
    const live = [
      await (await recording(`${server.origin}/sse`, { method: 'POST', body: '{"a":1}' })).text(),
      await (await recording(`${server.origin}/missing`)).text(),
    ];
    await recording.flush();
    const replay = createReplayFetch({ cassettePath });
    const sse = await replay('http://elsewhere/sse', { method: 'POST', body: '{ "a": 1 }' });
    const missing = await replay('http://elsewhere/missing');
    expect(missing.status).toBe(404);
    expect([await sse.text(), await missing.text()]).toEqual(live);
    expect(replay.unused()).toEqual([]);
  });
});

describe('createRecordingFetch and a key echoed across SSE chunks', () => {
  it('redacts the joined stream, so neither half of the key is stored', async () => {
    const key = 'sk-proj-echoed-split-0123456789abcdef';
    const server = await useWireServer();
    server.enqueue({
      // Paced, so the two halves arrive as two network reads, as a provider's chunks do.
      chunkMs: 30,
      stream: [
        `data: {"error":{"message":"bad key ${key.slice(0, 17)}`,
        `${key.slice(17)} rejected"}}\n\n`,
        'data: [DONE]\n\n',
      ],
    });
    const cassettePath = join(tmp(), 'c.json');
    const recording = createRecordingFetch({ cassettePath, env: { OPENAI_API_KEY: key } });
    const live = await (await recording(`${server.origin}/v1/chat/completions`)).text();
    expect(live).toContain(key);
    await recording.flush();
    const text = readFileSync(cassettePath, 'utf8');
    expect(text).not.toContain(key.slice(0, 17));
    expect(text).not.toContain(key.slice(17));
    const stream = readCassette(cassettePath).interactions[0]!.response.stream!;
    expect(stream.length).toBeGreaterThan(1);
    expect(stream.join('')).toBe(
      'data: {"error":{"message":"bad key [redacted] rejected"}}\n\ndata: [DONE]\n\n',
    );
  });
});
