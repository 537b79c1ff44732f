import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type {
  LanguageModel,
  ModelRequest,
  ModelStreamPart,
} from '../../src/model/language-model.ts';
import { AnthropicModel } from '../../src/providers/anthropic.ts';
import type { Fetch } from '../../src/providers/fetch-guard.ts';
import { OpenAIModel } from '../../src/providers/openai.ts';
import {
  anthropicInteraction,
  createCassette,
  openaiInteraction,
} from '../../src/record/author.ts';
import { readCassette } from '../../src/record/cassette.ts';
import { CassetteMissError } from '../../src/record/cassette-miss-error.ts';
import { createRecordingFetch } from '../../src/record/recording-fetch.ts';
import { createReplayFetch } from '../../src/record/replay-fetch.ts';
import {
  anthropicMessage,
  anthropicStream,
  openaiChatCompletion,
  openaiChatStream,
} from '../../src/record/wire-formats.ts';
import { handlerFromFetch } from '../../src/record/wire-server.ts';
import {
  TEST_ANTHROPIC_KEY,
  TEST_OPENAI_KEY,
  useWireServer,
  wireToolName,
} from '../support/wire-server.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'toolplan-cassette-'));

const request: ModelRequest = {
  messages: [{ role: 'user', content: 'weather in Paris and 2+2?' }],
  tools: [
    {
      name: 'weather.get',
      description: 'Weather',
      inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
    },
    {
      name: 'calc',
      description: 'Calculator',
      inputSchema: { type: 'object', properties: { expr: { type: 'string' } } },
    },
  ],
};

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

const flavours = [
  {
    name: 'openai',
    key: TEST_OPENAI_KEY,
    make: (origin: string, fetch?: Fetch, maxRetries = 0) =>
      new OpenAIModel({
        apiKey: TEST_OPENAI_KEY,
        baseURL: `${origin}/v1`,
        maxRetries,
        ...(fetch ? { fetch } : {}),
      }),
    replyJson: (name: string) =>
      openaiChatCompletion({
        text: `Echoing the key by mistake: ${TEST_OPENAI_KEY}`,
        toolCalls: [
          { id: 'call_1', name, args: { city: 'Paris' } },
          { id: 'call_2', name: 'calc', args: { expr: '2+2' } },
        ],
      }),
    replyStream: (name: string) =>
      openaiChatStream({
        text: 'Checking both.',
        toolCalls: [
          { id: 'call_1', name, args: { city: 'Paris' } },
          { id: 'call_2', name: 'calc', args: { expr: '2+2' } },
        ],
      }),
  },
  {
    name: 'anthropic',
    key: TEST_ANTHROPIC_KEY,
    make: (origin: string, fetch?: Fetch, maxRetries = 0) =>
      new AnthropicModel({
        apiKey: TEST_ANTHROPIC_KEY,
        baseURL: origin,
        maxRetries,
        model: 'claude-sonnet-4-6',
        ...(fetch ? { fetch } : {}),
      }),
    replyJson: (name: string) =>
      anthropicMessage({
        text: `Echoing the key by mistake: ${TEST_ANTHROPIC_KEY}`,
        toolCalls: [
          { id: 'toolu_1', name, args: { city: 'Paris' } },
          { id: 'toolu_2', name: 'calc', args: { expr: '2+2' } },
        ],
      }),
    replyStream: (name: string) =>
      anthropicStream({
        text: 'Checking both.',
        toolCalls: [
          { id: 'toolu_1', name, args: { city: 'Paris' } },
          { id: 'toolu_2', name: 'calc', args: { expr: '2+2' } },
        ],
      }),
  },
];

describe.each(flavours)('$name record and replay through the real SDK', (f) => {
  it('records against a live server, then replays with the server gone', async () => {
    const server = await useWireServer();
    // Learn the wire name the adapter uses for `weather.get`, so the scripted reply can use it.
    const probe = f.make(server.origin);
    server.enqueue({ json: f.replyJson('x') });
    await probe.generate(request);
    const wire = wireToolName(server.requests[0]);

    const cassettePath = join(tmp(), 'nested', 'round-trip.json');
    const recording = createRecordingFetch({ cassettePath, env: {}, note: 'test recording' });
    const live = f.make(server.origin, recording);
    server.enqueue({ json: f.replyJson(wire) }, { stream: f.replyStream(wire) });
    const liveAnswer = await live.generate(request);
    const liveParts = await all(live.stream(request));
    await recording.flush();
    await server.close();

    const text = readFileSync(cassettePath, 'utf8');
    // Keys never reach the cassette: not the header, not the literal value anywhere.
    expect(text).not.toContain(f.key);
    expect(text.toLowerCase()).not.toContain('authorization');
    expect(text.toLowerCase()).not.toContain('x-api-key');
    expect(text).toContain('[redacted]');
    expect(readdirSync(join(cassettePath, '..')).filter((name) => name.endsWith('.tmp'))).toEqual(
      [],
    );

    const cassette = readCassette(cassettePath);
    expect(cassette.interactions).toHaveLength(2);
    // SSE is stored byte for byte (split where the network split it).
    expect(cassette.interactions[1]!.response.stream!.join('')).toBe(f.replyStream(wire).join(''));

    // Replay against another base URL: the host is not part of the match.
    const replay = createReplayFetch({ cassettePath });
    const offline: LanguageModel = f.make('http://replay.invalid:1', replay);
    const replayedAnswer = await offline.generate(request);
    const replayedParts: ModelStreamPart[] = await all(offline.stream(request));
    expect(replayedAnswer.toolCalls).toEqual(liveAnswer.toolCalls);
    expect(replayedAnswer.toolCalls[0]!.name).toBe('weather.get');
    expect(replayedAnswer.text).toBe(liveAnswer.text.replace(f.key, '[redacted]'));
    expect(replayedParts).toEqual(liveParts);
    expect(replay.unused()).toEqual([]);
  });

  it('reports a request it has no recording for, without retrying, as CassetteMissError', async () => {
    const cassettePath = join(tmp(), 'miss.json');
    const server = await useWireServer();
    const recording = createRecordingFetch({ cassettePath, env: {} });
    server.enqueue({ json: f.replyJson('calc') });
    await f.make(server.origin, recording).generate(request);
    await recording.flush();

    const replay = createReplayFetch({ cassettePath });
    let calls = 0;
    const counting: Fetch = (input, init) => {
      calls++;
      return replay(input, init);
    };
    // With retries on: a miss must still be one fetch, not a retried "network failure".
    const model = f.make('http://x.invalid', counting, 2);
    const changed: ModelRequest = {
      ...request,
      messages: [{ role: 'user', content: 'weather in Oslo?' }],
    };
    const error = await failure(model.generate(changed));
    expect(error).toBeInstanceOf(CassetteMissError);
    expect(calls).toBe(1);
    const message = (error as Error).message;
    expect(message).toContain(
      `POST ${f.name === 'openai' ? '/v1/chat/completions' : '/v1/messages'}`,
    );
    expect(message).toContain(cassettePath);
    expect(message).toContain('weather in Oslo?');
    expect(message).toMatch(/messages\[0\]/);
    expect(message).toContain('Re-record');
    expect((error as CassetteMissError).details.cassettePath).toBe(cassettePath);
  });
});

describe('replay', () => {
  it('serves repeated identical requests in order, then says they ran out', async () => {
    const replay = createReplayFetch({
      cassette: createCassette([
        openaiInteraction({ request: { q: 1 }, text: 'first' }),
        openaiInteraction({ request: { q: 1 }, text: 'second' }),
      ]),
    });
    const ask = () =>
      replay('http://any.host/v1/chat/completions', {
        method: 'POST',
        body: JSON.stringify({ q: 1 }),
      }).then(
        async (r) =>
          ((await r.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message
            .content,
      );
    expect(await ask()).toBe('first');
    expect(await ask()).toBe('second');
    const error = await failure(ask());
    expect(error).toBeInstanceOf(CassetteMissError);
    expect((error as Error).message).toContain('already used');
  });

  it('matches bodies regardless of key order and ignores volatile fields on request', async () => {
    const replay = createReplayFetch({
      cassette: createCassette([
        openaiInteraction({ request: { a: 1, b: { c: 2, d: 3 }, user: 'u1' }, text: 'ok' }),
      ]),
      ignoreBodyFields: ['user'],
    });
    const response = await replay('http://h/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify({ user: 'u2', b: { d: 3, c: 2 }, a: 1 }),
    });
    expect(response.status).toBe(200);
  });

  it('replays hand-written cassettes for both providers through the SDKs, streaming and not', async () => {
    const cassette = createCassette([
      openaiInteraction({ toolCalls: [{ name: 'calc', args: { expr: '6*7' } }] }),
      openaiInteraction({ stream: true, text: 'forty-two' }),
      anthropicInteraction({ toolCalls: [{ name: 'calc', args: { expr: '6*7' } }] }),
      anthropicInteraction({ stream: true, text: 'forty-two' }),
    ]);
    const openai = new OpenAIModel({ fetch: createReplayFetch({ cassette }) });
    expect((await openai.generate(request)).toolCalls).toEqual([
      { id: 'call_001', name: 'calc', args: { expr: '6*7' } },
    ]);
    const openaiText = (await all(openai.stream(request))).flatMap((p) =>
      p.type === 'text-delta' ? [p.text] : [],
    );
    expect(openaiText.join('')).toBe('forty-two');

    const anthropic = new AnthropicModel({
      model: 'claude-sonnet-4-6',
      fetch: createReplayFetch({ cassette }),
    });
    expect((await anthropic.generate(request)).toolCalls).toEqual([
      { id: 'toolu_001', name: 'calc', args: { expr: '6*7' } },
    ]);
    const anthropicText = (await all(anthropic.stream(request))).flatMap((p) =>
      p.type === 'text-delta' ? [p.text] : [],
    );
    expect(anthropicText.join('')).toBe('forty-two');
  });

  it('records a broken stream and replays the break', async () => {
    const server = await useWireServer();
    const cassettePath = join(tmp(), 'cut.json');
    const recording = createRecordingFetch({ cassettePath, env: {} });
    const chunks = openaiChatStream({ text: 'this will be cut in the middle', chunkSize: 3 });
    server.enqueue({ stream: chunks, cutAfter: 4 });
    const live = new OpenAIModel({
      apiKey: 'k',
      baseURL: `${server.origin}/v1`,
      maxRetries: 0,
      fetch: recording,
    });
    expect(await failure(all(live.stream(request)))).toMatchObject({ code: 'stream_interrupted' });
    await recording.flush();
    const stored = readCassette(cassettePath).interactions[0]!.response;
    expect(stored.cut).toBe(true);
    expect(stored.stream!.join('')).toBe(chunks.slice(0, 4).join(''));

    const offline = new OpenAIModel({ fetch: createReplayFetch({ cassettePath }) });
    expect(await failure(all(offline.stream(request)))).toMatchObject({
      code: 'stream_interrupted',
    });
  });

  it('scrubs key values from the environment even in bodies', async () => {
    const server = await useWireServer();
    const cassettePath = join(tmp(), 'scrub.json');
    const secret = 'sk-proj-environment-secret-000111';
    const recording = createRecordingFetch({ cassettePath, env: { OPENAI_API_KEY: secret } });
    server.enqueue({ json: openaiChatCompletion({ text: `the key is ${secret}` }) });
    // The key travels in a body field here, not a header: only the literal scrub can catch it.
    await recording(`${server.origin}/v1/echo`, {
      method: 'POST',
      body: JSON.stringify({ note: secret }),
    }).then((r) => r.text());
    await recording.flush();
    expect(existsSync(cassettePath)).toBe(true);
    expect(readFileSync(cassettePath, 'utf8')).not.toContain(secret);
  });

  it('serves a cassette over real HTTP, paced like a live model', async () => {
    const cassette = createCassette([
      openaiInteraction({ stream: true, text: 'one two three four', chunkSize: 4 }),
    ]);
    const server = await useWireServer({
      handler: handlerFromFetch(
        createReplayFetch({ cassette, timing: { firstChunkMs: 150, chunkMs: 10 } }),
      ),
    });
    const model = new OpenAIModel({ baseURL: `${server.origin}/v1`, maxRetries: 0 });
    const started = performance.now();
    let firstText = 0;
    for await (const part of model.stream(request)) {
      if (part.type === 'text-delta' && firstText === 0) firstText = performance.now() - started;
    }
    expect(firstText).toBeGreaterThanOrEqual(140);
  });
});
