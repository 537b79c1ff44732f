import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createCassette, openaiInteraction } from '../../src/record/author.ts';
import { createReplayFetch } from '../../src/record/replay-fetch.ts';
import { openaiChatStream } from '../../src/record/wire-formats.ts';
import { handlerFromFetch, startWireServer } from '../../src/record/wire-server.ts';
import { useWireServer } from '../support/wire-server.ts';

/** Reads a body chunk by chunk until it ends or the connection breaks. */
async function readChunks(
  response: Response,
): Promise<{ text: string; broke: boolean; at: number[] }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const started = performance.now();
  let text = '';
  const at: number[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, broke: false, at };
      at.push(performance.now() - started);
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { text, broke: true, at };
  }
}

describe('startWireServer', () => {
  it('listens on 127.0.0.1 on a random port', async () => {
    const a = await useWireServer();
    const b = await useWireServer();
    expect(a.origin).toBe(`http://127.0.0.1:${a.port}`);
    expect(a.port).toBeGreaterThan(0);
    expect(a.port).not.toBe(b.port);
  });

  it('serves scripted answers first in, first out, and keeps every request', async () => {
    const server = await useWireServer();
    server.enqueue({ json: { n: 1 } }, { status: 202, text: 'two', headers: { 'x-n': '2' } });
    expect(server.pending()).toBe(2);
    const one = await fetch(`${server.origin}/v1/a?q=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-custom': 'yes' },
      body: '{"hello":"world"}',
    });
    expect(one.headers.get('content-type')).toBe('application/json');
    expect(await one.json()).toEqual({ n: 1 });
    const two = await fetch(`${server.origin}/v1/b`);
    expect(two.status).toBe(202);
    expect(two.headers.get('x-n')).toBe('2');
    expect(await two.text()).toBe('two');
    expect(server.pending()).toBe(0);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/a?q=1',
      bodyText: '{"hello":"world"}',
      body: { hello: 'world' },
    });
    expect(server.requests[0]!.headers['x-custom']).toBe('yes');
    expect(server.requests[1]).toMatchObject({ method: 'GET', path: '/v1/b', bodyText: '' });
    expect(server.requests[1]!.body).toBeUndefined();
    expect(server.requests[1]!.at).toBeGreaterThanOrEqual(server.requests[0]!.at);
  });

  it('answers an unscripted request with a 500 naming it, marked not to be retried', async () => {
    const server = await useWireServer();
    const response = await fetch(`${server.origin}/v1/nothing`, { method: 'PUT' });
    expect(response.status).toBe(500);
    expect(response.headers.get('x-should-retry')).toBe('false');
    expect(await response.json()).toEqual({
      error: { message: 'wire server: nothing scripted for PUT /v1/nothing', type: 'server_error' },
    });
    // The real SDK honours the header: one request even with retries on.
    const client = new OpenAI({ apiKey: 'k', baseURL: `${server.origin}/v1`, maxRetries: 3 });
    await expect(
      client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toThrow(/nothing scripted for POST \/v1\/chat\/completions/);
    expect(server.requests).toHaveLength(2);
  });

  it('asks the handler when the queue is empty, and reports a throwing handler as a 500', async () => {
    const server = await useWireServer({
      handler: (request) => {
        if (request.path === '/boom') throw new Error('handler broke');
        if (request.path === '/native')
          return new Response('native', { status: 203, headers: { 'x-from': 'response' } });
        if (request.path === '/none') return undefined;
        return { json: { echo: request.body } };
      },
    });
    server.enqueue({ text: 'queued first' });
    expect(await (await fetch(`${server.origin}/any`)).text()).toBe('queued first');
    expect(
      await (await fetch(`${server.origin}/echo`, { method: 'POST', body: '[1,2]' })).json(),
    ).toEqual({ echo: [1, 2] });
    const native = await fetch(`${server.origin}/native`);
    expect([native.status, native.headers.get('x-from'), await native.text()]).toEqual([
      203,
      'response',
      'native',
    ]);
    const boom = await fetch(`${server.origin}/boom`);
    expect(boom.status).toBe(500);
    expect(((await boom.json()) as { error: { message: string } }).error.message).toBe(
      'wire server: Error: handler broke',
    );
    const none = await fetch(`${server.origin}/none`);
    expect(none.status).toBe(500);
    expect(await none.text()).toContain('nothing scripted for GET /none');
  });

  it('writes an SSE stream chunk by chunk with event-stream headers', async () => {
    const server = await useWireServer();
    const chunks = ['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n'];
    server.enqueue({ stream: chunks, chunkMs: 15, headers: { 'x-extra': 'e' } });
    const response = await fetch(`${server.origin}/s`);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-extra')).toBe('e');
    const { text, broke, at } = await readChunks(response);
    expect(broke).toBe(false);
    expect(text).toBe(chunks.join(''));
    // Paced 15 ms apart, so the client reads them separately.
    expect(at.length).toBeGreaterThanOrEqual(2);
  });

  it('breaks the connection after cutAfter stream chunks', async () => {
    const server = await useWireServer();
    const chunks = ['data: a\n\n', 'data: b\n\n', 'data: c\n\n', 'data: d\n\n'];
    server.enqueue(
      { stream: chunks, cutAfter: 2 },
      { stream: chunks, cutAfter: 4 },
      { stream: chunks, cutAfter: 0 },
    );
    const two = await readChunks(await fetch(`${server.origin}/s`));
    expect(two).toMatchObject({ text: 'data: a\n\ndata: b\n\n', broke: true });
    // At or past the end: every chunk, then the break instead of a clean end.
    const all = await readChunks(await fetch(`${server.origin}/s`));
    expect(all).toMatchObject({ text: chunks.join(''), broke: true });
    const none = await readChunks(await fetch(`${server.origin}/s`));
    expect(none).toMatchObject({ text: '', broke: true });
  });

  it('breaks a JSON or text body halfway through with cutAfter', async () => {
    const server = await useWireServer();
    const json = { message: 'x'.repeat(100) };
    server.enqueue({ json, cutAfter: 0 }, { text: '0123456789', cutAfter: 0 });
    const body = JSON.stringify(json);
    expect(await readChunks(await fetch(`${server.origin}/j`))).toMatchObject({
      text: body.slice(0, body.length >> 1),
      broke: true,
    });
    expect(await readChunks(await fetch(`${server.origin}/t`))).toMatchObject({
      text: '01234',
      broke: true,
    });
  });

  it('delays the status line by delayMs and paces streams by the default or per-answer timing', async () => {
    const server = await useWireServer({ timing: { firstChunkMs: 50, chunkMs: 20 } });
    server.enqueue(
      { text: 'late', delayMs: 60 },
      { stream: ['a', 'b', 'c'] },
      { stream: ['a', 'b'], firstChunkMs: 0, chunkMs: 0 },
    );
    let started = performance.now();
    await (await fetch(`${server.origin}/d`)).text();
    expect(performance.now() - started).toBeGreaterThanOrEqual(58);

    started = performance.now();
    const paced = await fetch(`${server.origin}/s`);
    const { at } = await readChunks(paced);
    const total = performance.now() - started;
    // 50 ms before the first chunk and 20 ms before each of the other two: lower bounds only.
    expect(total).toBeGreaterThanOrEqual(50 + 2 * 20 - 3);
    expect(at.length).toBeGreaterThanOrEqual(2);

    started = performance.now();
    expect((await readChunks(await fetch(`${server.origin}/s`))).text).toBe('ab');
  });

  it('refuses connections once closed', async () => {
    const server = await startWireServer();
    await server.close();
    await expect(fetch(`${server.origin}/x`)).rejects.toThrow();
  });

  it('closes while a slow stream is still being written', async () => {
    const server = await startWireServer();
    server.enqueue({ stream: ['a', 'b', 'c'], chunkMs: 10_000 });
    const response = await fetch(`${server.origin}/s`);
    const reading = readChunks(response);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await server.close();
    expect((await reading).broke).toBe(true);
  });
});

describe('handlerFromFetch', () => {
  it('serves a cassette over real HTTP to the real SDK, streaming and not', async () => {
    const replay = createReplayFetch({
      cassette: createCassette([
        openaiInteraction({ text: 'plain answer' }),
        openaiInteraction({ text: 'streamed answer', stream: true, chunkSize: 3 }),
      ]),
    });
    const server = await useWireServer({ handler: handlerFromFetch(replay) });
    const client = new OpenAI({ apiKey: 'k', baseURL: `${server.origin}/v1`, maxRetries: 0 });
    const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'q' }] };
    expect((await client.chat.completions.create(ask)).choices[0]!.message.content).toBe(
      'plain answer',
    );
    let text = '';
    for await (const chunk of await client.chat.completions.create({ ...ask, stream: true })) {
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('streamed answer');
    expect(replay.unused()).toEqual([]);
  });

  it('forwards method, path, headers and body, minus host and content-length', async () => {
    const seen: { url: string; init?: RequestInit }[] = [];
    const server = await useWireServer({
      handler: handlerFromFetch(async (url, init) => {
        seen.push({ url, ...(init ? { init } : {}) });
        return new Response('ok');
      }),
    });
    await (
      await fetch(`${server.origin}/p?x=1`, {
        method: 'POST',
        headers: { 'x-keep': 'k' },
        body: 'payload',
      })
    ).text();
    await (await fetch(`${server.origin}/g`)).text();
    expect(seen[0]!.url).toBe('http://wire.invalid/p?x=1');
    expect(seen[0]!.init).toMatchObject({ method: 'POST', body: 'payload' });
    const headers = seen[0]!.init!.headers as Record<string, string>;
    expect(headers['x-keep']).toBe('k');
    expect(headers).not.toHaveProperty('host');
    expect(headers).not.toHaveProperty('content-length');
    expect(seen[1]!.init).not.toHaveProperty('body');
  });

  it('turns a cut recording into a broken connection', async () => {
    const chunks = openaiChatStream({ text: 'will break', chunkSize: 2 });
    const replay = createReplayFetch({
      cassette: createCassette([
        {
          request: { method: 'GET', path: '/s' },
          response: { status: 200, headers: {}, stream: chunks.slice(0, 3), cut: true },
        },
      ]),
    });
    const server = await useWireServer({ handler: handlerFromFetch(replay) });
    const result = await readChunks(await fetch(`${server.origin}/s`));
    expect(result.broke).toBe(true);
    expect(result.text).toBe(chunks.slice(0, 3).join(''));
  });
});
