import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/runtime-errors.ts';
import { createCassette, openaiInteraction } from '../../src/record/author.ts';
import type { Cassette, Interaction } from '../../src/record/cassette.ts';
import { CassetteMissError, diffSummary } from '../../src/record/cassette-miss-error.ts';
import { createReplayFetch } from '../../src/record/replay-fetch.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'toolplan-replay-'));

function interaction(
  request: Interaction['request'],
  response: Partial<Interaction['response']> = {},
): Interaction {
  return { request, response: { status: 200, headers: {}, ...response } };
}

async function failure(promise: Promise<unknown>): Promise<CassetteMissError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CassetteMissError);
    return error as CassetteMissError;
  }
  throw new Error('expected a cassette miss');
}

const post = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body) });

async function readChunks(response: Response): Promise<{ chunks: string[]; error?: unknown }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const chunks: string[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { chunks };
      chunks.push(decoder.decode(value));
    }
  } catch (error) {
    return { chunks, error };
  }
}

describe('matching', () => {
  it('matches method (any case in the cassette), path and query, never the host', async () => {
    const replay = createReplayFetch({
      cassette: createCassette([
        interaction({ method: 'get', path: '/v1/models?limit=2' }, { body: { page: 'two' } }),
        interaction({ method: 'GET', path: '/v1/models' }, { body: { page: 'all' } }),
      ]),
    });
    const one = await replay('https://api.example.com/v1/models');
    expect(await one.json()).toEqual({ page: 'all' });
    const two = await replay(new URL('http://127.0.0.1:9/v1/models?limit=2'));
    expect(await two.json()).toEqual({ page: 'two' });
  });

  it('treats a different query, method or path as a miss', async () => {
    const cassette = createCassette([interaction({ method: 'GET', path: '/v1/models?limit=2' })]);
    const ask = (url: string, init?: RequestInit) => createReplayFetch({ cassette })(url, init);
    for (const error of [
      await failure(ask('http://h/v1/models?limit=3')),
      await failure(ask('http://h/v1/models')),
      await failure(ask('http://h/v1/models?limit=2', { method: 'DELETE' })),
      await failure(ask('http://h/v2/models?limit=2')),
    ]) {
      expect(error.message).toContain(
        'no recording for this route; recorded: GET /v1/models?limit=2',
      );
    }
  });

  it('matches bodies after normalising key order at every depth', async () => {
    const replay = createReplayFetch({
      cassette: createCassette([
        openaiInteraction({
          request: { model: 'm', messages: [{ role: 'user', content: 'hi' }], tools: [] },
          text: 'matched',
        }),
      ]),
    });
    const response = await replay(
      'http://h/v1/chat/completions',
      post({ tools: [], messages: [{ content: 'hi', role: 'user' }], model: 'm' }),
    );
    expect(response.status).toBe(200);
    expect(replay.unused()).toEqual([]);
  });

  it('matches two bodies as data for any key order (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), {
          minKeys: 1,
          maxKeys: 6,
        }),
        async (body) => {
          const parsed = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
          const reversed = Object.fromEntries(Object.entries(parsed).reverse());
          const replay = createReplayFetch({
            cassette: createCassette([interaction({ method: 'POST', path: '/x', body: parsed })]),
          });
          expect((await replay('http://h/x', post(reversed))).status).toBe(200);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('leaves ignored fields out of matching, at their exact nested path', async () => {
    const cassette = createCassette([
      interaction({
        method: 'POST',
        path: '/v1/messages',
        body: { metadata: { user_id: 'recorded-user', tier: 'a' }, prompt: 'p' },
      }),
    ]);
    const ignoring = createReplayFetch({ cassette, ignoreBodyFields: ['metadata.user_id'] });
    expect(
      (
        await ignoring(
          'http://h/v1/messages',
          post({ prompt: 'p', metadata: { tier: 'a', user_id: 'someone-else' } }),
        )
      ).status,
    ).toBe(200);
    // Without the option the same request misses, naming the differing field.
    const strict = createReplayFetch({ cassette });
    const error = await failure(
      strict(
        'http://h/v1/messages',
        post({ prompt: 'p', metadata: { tier: 'a', user_id: 'someone-else' } }),
      ),
    );
    expect(error.message).toContain(
      'body.metadata.user_id: recorded "recorded-user", got "someone-else"',
    );
    // A field that is not ignored still counts.
    const other = createReplayFetch({ cassette, ignoreBodyFields: ['metadata.user_id'] });
    await failure(
      other('http://h/v1/messages', post({ prompt: 'p', metadata: { tier: 'b', user_id: 'x' } })),
    );
  });

  it('matches text bodies that are not JSON, exactly', async () => {
    const replay = createReplayFetch({
      cassette: createCassette([
        interaction({ method: 'POST', path: '/form', body: 'a=1&b=2' }, { text: 'ok' }),
      ]),
    });
    await failure(replay('http://h/form', { method: 'POST', body: 'b=2&a=1' }));
    const response = await replay('http://h/form', { method: 'POST', body: 'a=1&b=2' });
    expect(await response.text()).toBe('ok');
  });

  it('serves identical requests their recordings in order, then misses with "already used"', async () => {
    const replay = createReplayFetch({
      cassette: createCassette([
        interaction({ method: 'POST', path: '/q', body: { q: 1 } }, { text: 'first' }),
        interaction({ method: 'POST', path: '/q', body: { q: 2 } }, { text: 'other' }),
        interaction({ method: 'POST', path: '/q', body: { q: 1 } }, { text: 'second' }),
      ]),
    });
    const ask = async (q: number) => (await replay('http://h/q', post({ q }))).text();
    expect(await ask(1)).toBe('first');
    expect(await ask(1)).toBe('second');
    expect(replay.unused().map((i) => i.response.text)).toEqual(['other']);
    expect(await ask(2)).toBe('other');
    const error = await failure(ask(1));
    expect(error.message).toContain(
      'all 3 recordings of this request were already used (the code asked once more than when recorded)',
    );
    expect(error.details).toMatchObject({ method: 'POST', path: '/q' });
  });

  it('prefers a recording with this exact body over one that accepts any body', async () => {
    const replay = createReplayFetch({
      cassette: createCassette([
        interaction({ method: 'POST', path: '/q' }, { text: 'any body' }),
        interaction({ method: 'POST', path: '/q', body: { q: 'exact' } }, { text: 'exact body' }),
      ]),
    });
    expect(await (await replay('http://h/q', post({ q: 'exact' }))).text()).toBe('exact body');
    expect(await (await replay('http://h/q', post({ q: 'anything' }))).text()).toBe('any body');
    await failure(replay('http://h/q', post({ q: 'exact' })));
  });

  it('reads method, headers and body from a Request object as well as from init', async () => {
    const replay = createReplayFetch({
      cassette: createCassette([
        interaction({ method: 'PUT', path: '/r', body: { from: 'request' } }, { text: 'one' }),
        interaction({ method: 'POST', path: '/r', body: { from: 'init' } }, { text: 'two' }),
      ]),
    });
    const request = new Request('http://h/r', { method: 'PUT', body: '{"from":"request"}' });
    expect(await (await replay(request)).text()).toBe('one');
    const bytes = new TextEncoder().encode('{"from":"init"}');
    expect(await (await replay('http://h/r', { method: 'post', body: bytes })).text()).toBe('two');
  });
});

describe('misses', () => {
  it('names method, path, cassette file and the body diff, and says how to re-record', async () => {
    const dir = tmp();
    const cassettePath = join(dir, 'c.json');
    const cassette: Cassette = createCassette([
      interaction({
        method: 'POST',
        path: '/v1/chat/completions',
        body: { model: 'gpt', messages: [{ role: 'user', content: 'weather in Paris?' }] },
      }),
    ]);
    writeFileSync(cassettePath, JSON.stringify(cassette));
    const replay = createReplayFetch({ cassettePath });
    const error = await failure(
      replay(
        'http://h/v1/chat/completions',
        post({ model: 'gpt', messages: [{ role: 'user', content: 'weather in Oslo?' }, 'extra'] }),
      ),
    );
    expect(error.code).toBe('cassette_miss');
    expect(error.blame).toBe('config');
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({
      method: 'POST',
      path: '/v1/chat/completions',
      cassettePath,
      summary: [
        'the body differs from the next unused recording (interaction 0):',
        'body.messages: recorded 1 items, got 2',
        'body.messages[0].content: recorded "weather in Paris?", got "weather in Oslo?"',
      ],
    });
    expect(error.message).toBe(
      `cassette ${cassettePath} has no recording for POST /v1/chat/completions.\n` +
        '  - the body differs from the next unused recording (interaction 0):\n' +
        '  - body.messages: recorded 1 items, got 2\n' +
        '  - body.messages[0].content: recorded "weather in Paris?", got "weather in Oslo?"\n' +
        'The request changed since the cassette was made (or the cassette is incomplete). ' +
        'Re-record it against a live provider with createRecordingFetch({ cassettePath }) ' +
        '(a key in OPENAI_API_KEY or ANTHROPIC_API_KEY), or edit the interaction by hand with ' +
        'the wire-format helpers of src/record.',
    );
  });

  it('says "the cassette" for an in-memory cassette, and "nothing" when it is empty', async () => {
    const error = await failure(createReplayFetch({ cassette: createCassette([]) })('http://h/x'));
    expect(error.message).toMatch(/^the cassette has no recording for GET \/x\./);
    expect(error.details.summary).toEqual(['no recording for this route; recorded: nothing']);
    expect(error.details.cassettePath).toBeUndefined();
  });

  it('lists each recorded route once', async () => {
    const replay = createReplayFetch({
      cassette: createCassette([
        interaction({ method: 'POST', path: '/a' }),
        interaction({ method: 'POST', path: '/a' }),
        interaction({ method: 'GET', path: '/b' }),
      ]),
    });
    const error = await failure(replay('http://h/c'));
    expect(error.details.summary).toEqual([
      'no recording for this route; recorded: POST /a, GET /b',
    ]);
  });

  it('diffs against the next unused recording of the route, after ignoring fields', async () => {
    const replay = createReplayFetch({
      cassette: createCassette([
        interaction({ method: 'POST', path: '/q', body: { n: 1, user: 'a' } }),
        interaction({ method: 'POST', path: '/q', body: { n: 2, user: 'a' } }),
      ]),
      ignoreBodyFields: ['user'],
    });
    await replay('http://h/q', post({ n: 1, user: 'z' }));
    const error = await failure(replay('http://h/q', post({ n: 3, user: 'z' })));
    expect(error.details.summary).toEqual([
      'the body differs from the next unused recording (interaction 1):',
      'body.n: recorded 2, got 3',
    ]);
  });

  it('a miss uses up nothing: the right request still gets its recording', async () => {
    const replay = createReplayFetch({
      cassette: createCassette([interaction({ method: 'POST', path: '/q', body: { ok: true } })]),
    });
    await failure(replay('http://h/q', post({ ok: false })));
    expect(replay.unused()).toHaveLength(1);
    expect((await replay('http://h/q', post({ ok: true }))).status).toBe(200);
    expect(replay.unused()).toEqual([]);
  });
});

describe('diffSummary', () => {
  it('walks objects and arrays by JSON path, shortens long values, stops at the limit', () => {
    expect(diffSummary({ a: 1, b: [1, 2] }, { a: 1, b: [1, 3], c: 'new' })).toEqual([
      'body.b[1]: recorded 2, got 3',
      'body.c: recorded undefined, got "new"',
    ]);
    const long = 'y'.repeat(200);
    expect(diffSummary({ t: 'x' }, { t: long })[0]).toBe(
      `body.t: recorded "x", got "${'y'.repeat(76)}...`,
    );
    const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]));
    expect(diffSummary({}, many)).toHaveLength(6);
    expect(diffSummary({}, many, 2)).toHaveLength(2);
    expect(diffSummary({ same: [1, { x: 2 }] }, { same: [1, { x: 2 }] })).toEqual([]);
    expect(diffSummary('text', { a: 1 })).toEqual(['body: recorded "text", got {"a":1}']);
  });
});

describe('responses', () => {
  it('replays status, headers and a JSON body (typed application/json when untyped)', async () => {
    const replay = createReplayFetch({
      cassette: createCassette([
        interaction(
          { method: 'GET', path: '/e' },
          { status: 429, headers: { 'retry-after': '2', 'x-request-id': 'req_9' }, body: { e: 1 } },
        ),
      ]),
    });
    const response = await replay('http://h/e');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.headers.get('x-request-id')).toBe('req_9');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ e: 1 });
  });

  it('replays a text body as is and a bodiless response as no body', async () => {
    const replay = createReplayFetch({
      cassette: createCassette([
        interaction(
          { method: 'GET', path: '/t' },
          { headers: { 'content-type': 'text/plain' }, text: 'plain' },
        ),
        interaction({ method: 'DELETE', path: '/n' }, { status: 204 }),
      ]),
    });
    const text = await replay('http://h/t');
    expect(text.headers.get('content-type')).toBe('text/plain');
    expect(await text.text()).toBe('plain');
    const none = await replay('http://h/n', { method: 'DELETE' });
    expect(none.status).toBe(204);
    expect(none.body).toBeNull();
  });

  it('replays SSE chunk by chunk, exactly as recorded', async () => {
    const stream = ['data: {"a":1}\n\n', 'data: {"a"', ':2}\n\n', 'data: [DONE]\n\n'];
    const replay = createReplayFetch({
      cassette: createCassette([interaction({ method: 'POST', path: '/s' }, { stream })]),
    });
    const response = await replay('http://h/s', { method: 'POST' });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(await readChunks(response)).toEqual({ chunks: stream });
  });

  it('breaks a cut stream after its recorded chunks, with a network-like error', async () => {
    const replay = createReplayFetch({
      cassette: createCassette([
        interaction(
          { method: 'POST', path: '/s' },
          { stream: ['data: 1\n\n', 'data: 2\n\n'], cut: true },
        ),
      ]),
    });
    const { chunks, error } = await readChunks(await replay('http://h/s', { method: 'POST' }));
    expect(chunks).toEqual(['data: 1\n\n', 'data: 2\n\n']);
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toContain('terminated');
  });

  it('breaks a cut JSON body halfway through', async () => {
    const body = { message: 'a reasonably long body to cut in half' };
    const replay = createReplayFetch({
      cassette: createCassette([interaction({ method: 'GET', path: '/j' }, { body, cut: true })]),
    });
    const { chunks, error } = await readChunks(await replay('http://h/j'));
    const text = JSON.stringify(body);
    expect(chunks.join('')).toBe(text.slice(0, text.length >> 1));
    expect(error).toBeInstanceOf(TypeError);
  });

  it('paces streams with the timing option: a wait before the first chunk and between chunks', async () => {
    const replay = createReplayFetch({
      cassette: createCassette([
        interaction({ method: 'POST', path: '/s' }, { stream: ['a', 'b', 'c'] }),
      ]),
      timing: { firstChunkMs: 60, chunkMs: 25 },
    });
    const started = performance.now();
    const response = await replay('http://h/s', { method: 'POST' });
    const reader = response.body!.getReader();
    const at: number[] = [];
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
      at.push(performance.now() - started);
    }
    expect(at).toHaveLength(3);
    // Lower bounds only (timers never fire early by more than a millisecond or so).
    expect(at[0]).toBeGreaterThanOrEqual(58);
    expect(at[2]! - at[0]!).toBeGreaterThanOrEqual(2 * 25 - 3);
  });

  it('rejects at once on an aborted signal and errors a paced stream when aborted midway', async () => {
    const cassette = createCassette([
      interaction({ method: 'POST', path: '/s' }, { stream: ['a', 'b', 'c'] }),
      interaction({ method: 'POST', path: '/s' }, { stream: ['a', 'b', 'c'] }),
    ]);
    const replay = createReplayFetch({ cassette, timing: { firstChunkMs: 0, chunkMs: 5_000 } });
    const aborted = AbortSignal.abort(new Error('gone'));
    await expect(replay('http://h/s', { method: 'POST', signal: aborted })).rejects.toThrow('gone');
    expect(replay.unused()).toHaveLength(2);

    const controller = new AbortController();
    const response = await replay('http://h/s', { method: 'POST', signal: controller.signal });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('a');
    const started = performance.now();
    setTimeout(() => controller.abort(new Error('user cancelled')), 20);
    await expect(reader.read()).rejects.toThrow('user cancelled');
    // The 5 s pause was cut short by the abort.
    expect(performance.now() - started).toBeLessThan(4_000);
  });
});

describe('construction', () => {
  it('needs a cassette or a path, and reports unreadable or invalid files as ConfigError', () => {
    expect(() => createReplayFetch({})).toThrow(TypeError);
    const dir = tmp();
    expect(() => createReplayFetch({ cassettePath: join(dir, 'none.json') })).toThrow(ConfigError);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '[]');
    expect(() => createReplayFetch({ cassettePath: bad })).toThrow(/not a version 1 cassette/);
  });

  it('exposes the cassette it serves and, in order, what it has not served', async () => {
    const cassette = createCassette([
      interaction({ method: 'GET', path: '/1' }),
      interaction({ method: 'GET', path: '/2' }),
      interaction({ method: 'GET', path: '/3' }),
    ]);
    const replay = createReplayFetch({ cassette });
    expect(replay.cassette).toBe(cassette);
    await replay('http://h/2');
    expect(replay.unused().map((i) => i.request.path)).toEqual(['/1', '/3']);
  });
});
