import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/errors/runtime-errors.ts';
import type { LanguageModel, ModelStreamPart } from '../../src/model/language-model.ts';
import { ProviderError } from '../../src/model/provider-error.ts';
import { AnthropicModel } from '../../src/providers/anthropic.ts';
import { OpenAIModel } from '../../src/providers/openai.ts';
import {
  anthropicError,
  anthropicMessage,
  anthropicStream,
  anthropicStreamError,
  openaiChatCompletion,
  openaiChatStream,
  openaiError,
  type WireStreamReply,
} from '../../src/record/wire-formats.ts';
import type { WireResponse } from '../../src/record/wire-server.ts';
import { TEST_ANTHROPIC_KEY, TEST_OPENAI_KEY, useWireServer } from '../support/wire-server.ts';

interface Flavour {
  name: 'openai' | 'anthropic';
  make(origin: string, maxRetries: number): LanguageModel;
  reply(reply: WireStreamReply): unknown;
  stream(reply: WireStreamReply): string[];
  error(status: number, message: string): unknown;
  variable: string;
}

const flavours: Flavour[] = [
  {
    name: 'openai',
    make: (origin, maxRetries) =>
      new OpenAIModel({ apiKey: TEST_OPENAI_KEY, baseURL: `${origin}/v1`, maxRetries }),
    reply: openaiChatCompletion,
    stream: openaiChatStream,
    error: (status, message) =>
      openaiError(
        message,
        status === 401 ? 'invalid_request_error' : 'server_error',
        status === 401 ? 'invalid_api_key' : null,
      ),
    variable: 'OPENAI_API_KEY',
  },
  {
    name: 'anthropic',
    make: (origin, maxRetries) =>
      new AnthropicModel({
        apiKey: TEST_ANTHROPIC_KEY,
        baseURL: origin,
        maxRetries,
        model: 'claude-sonnet-4-6',
      }),
    reply: anthropicMessage,
    stream: anthropicStream,
    error: (status, message) =>
      anthropicError(
        status === 401
          ? 'authentication_error'
          : status === 429
            ? 'rate_limit_error'
            : status === 404
              ? 'not_found_error'
              : 'api_error',
        message,
      ),
    variable: 'ANTHROPIC_API_KEY',
  },
];

const ask = { messages: [{ role: 'user' as const, content: 'hi' }] };

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

/** Short fixed waits (the SDKs honour retry-after-ms) keep the retry tests fast. */
const quick = { 'retry-after-ms': '20' };

describe.each(flavours)('$name faults', (f) => {
  it('waits out Retry-After on 429, then succeeds', async () => {
    const server = await useWireServer();
    server.enqueue(
      { status: 429, headers: { 'retry-after': '1' }, json: f.error(429, 'Rate limit reached') },
      { json: f.reply({ text: 'after the wait' }) },
    );
    const response = await f.make(server.origin, 2).generate(ask);
    expect(response.text).toBe('after the wait');
    expect(server.requests).toHaveLength(2);
    // Without the header the SDKs back off at most 500 ms; 1 s means the header was honoured.
    const waited = server.requests[1]!.at - server.requests[0]!.at;
    expect(waited).toBeGreaterThanOrEqual(990);
  });

  it('reports a 429 that outlasts the retries as rate_limited', async () => {
    const server = await useWireServer();
    const limited: WireResponse = {
      status: 429,
      headers: quick,
      json: f.error(429, 'Rate limit reached'),
    };
    server.enqueue(limited, limited);
    const error = await failure(f.make(server.origin, 1).generate(ask));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      details: { status: 429, provider: f.name },
    });
    expect(server.requests).toHaveLength(2);
  });

  it.each([500, 502, 503])('retries %i and succeeds', async (status) => {
    const server = await useWireServer();
    server.enqueue(
      { status, headers: quick, json: f.error(status, 'upstream trouble') },
      { json: f.reply({ text: 'ok' }) },
    );
    expect((await f.make(server.origin, 2).generate(ask)).text).toBe('ok');
    expect(server.requests).toHaveLength(2);
  });

  it('reports persistent 503 as server_error, saying to retry later', async () => {
    const server = await useWireServer();
    const down: WireResponse = { status: 503, headers: quick, json: f.error(503, 'unavailable') };
    server.enqueue(down, down, down);
    const error = await failure(f.make(server.origin, 2).generate(ask));
    expect(error).toMatchObject({ code: 'server_error', blame: 'model', details: { status: 503 } });
    expect((error as Error).message).toMatch(/after 2 retries.*Retry later/);
    expect(server.requests).toHaveLength(3);
  });

  it('maps 401 to an auth error naming the variable to fix', async () => {
    const server = await useWireServer();
    server.enqueue({ status: 401, json: f.error(401, 'invalid x-api-key') });
    const error = await failure(f.make(server.origin, 2).generate(ask));
    expect(error).toMatchObject({
      code: 'auth',
      blame: 'config',
      retryable: false,
      details: { variable: f.variable },
    });
    expect((error as Error).message).toContain(f.variable);
    expect(server.requests).toHaveLength(1);
  });

  it('maps 404 to not_found naming TOOLPLAN_MODEL', async () => {
    const server = await useWireServer();
    server.enqueue({ status: 404, json: f.error(404, 'model: nope') });
    const error = await failure(f.make(server.origin, 0).generate(ask));
    expect(error).toMatchObject({ code: 'not_found' });
    expect((error as Error).message).toContain('TOOLPLAN_MODEL');
  });

  it('throws stream_interrupted when the stream is cut after output was yielded', async () => {
    const server = await useWireServer();
    const chunks = f.stream({ text: 'a long answer that will be cut off', chunkSize: 4 });
    server.enqueue({ stream: chunks, cutAfter: 5 });
    const seen: ModelStreamPart[] = [];
    const error = await failure(
      (async () => {
        for await (const part of f.make(server.origin, 2).stream(ask)) seen.push(part);
      })(),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'stream_interrupted', retryable: true });
    expect(seen.some((p) => p.type === 'text-delta')).toBe(true);
    expect(seen.some((p) => p.type === 'finish')).toBe(false);
    // Output was already yielded: no silent retry that would duplicate it.
    expect(server.requests).toHaveLength(1);
  });

  it('retries a stream cut before anything was yielded, once, from scratch', async () => {
    const server = await useWireServer();
    server.enqueue(
      { stream: f.stream({ text: 'first try' }), cutAfter: 1 },
      { stream: f.stream({ text: 'second try' }) },
    );
    const parts = await all(f.make(server.origin, 0).stream(ask));
    expect(parts.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('')).toBe(
      'second try',
    );
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after one stream retry', async () => {
    const server = await useWireServer();
    server.enqueue(
      { stream: f.stream({ text: 'x' }), cutAfter: 0 },
      { stream: f.stream({ text: 'x' }), cutAfter: 0 },
    );
    const error = await failure(all(f.make(server.origin, 0).stream(ask)));
    expect(error).toMatchObject({ code: 'stream_interrupted' });
    expect(server.requests).toHaveLength(2);
  });

  it('types malformed streamed tool arguments, keeping the raw text', async () => {
    const server = await useWireServer();
    const raw = '{"city": "Par';
    server.enqueue({
      stream: f.stream({ toolCalls: [{ id: 'c1', name: 'get_weather', args: raw }] }),
    });
    const error = await failure(all(f.make(server.origin, 0).stream(ask)));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      code: 'bad_tool_arguments',
      blame: 'model',
      details: { toolName: 'get_weather', toolCallId: 'c1', rawArguments: raw },
    });
  });

  it('cancels a call waiting out a Retry-After as soon as the signal aborts', async () => {
    const server = await useWireServer();
    server.enqueue({
      status: 429,
      headers: { 'retry-after': '5' },
      json: f.error(429, 'slow down'),
    });
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 100);
    const error = await failure(
      f.make(server.origin, 2).generate(ask, { signal: controller.signal }),
    );
    expect(error).toBeInstanceOf(CancelledError);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('cancels a stream mid-way', async () => {
    const server = await useWireServer();
    server.enqueue({
      stream: f.stream({ text: 'one two three four five six', chunkSize: 3 }),
      chunkMs: 50,
    });
    const controller = new AbortController();
    const error = await failure(
      (async () => {
        for await (const part of f
          .make(server.origin, 0)
          .stream(ask, { signal: controller.signal })) {
          if (part.type === 'text-delta') controller.abort();
        }
      })(),
    );
    expect(error).toBeInstanceOf(CancelledError);
  });
});

describe('provider-specific faults', () => {
  it('retries Anthropic 529 overloaded, then reports overloaded', async () => {
    const server = await useWireServer();
    const overloaded: WireResponse = {
      status: 529,
      headers: quick,
      json: anthropicError('overloaded_error', 'Overloaded'),
    };
    server.enqueue(overloaded, { json: anthropicMessage({ text: 'made it' }) });
    const m = flavours[1]!.make(server.origin, 2);
    expect((await m.generate(ask)).text).toBe('made it');
    server.enqueue(overloaded, overloaded, overloaded);
    const error = await failure(m.generate(ask));
    expect(error).toMatchObject({ code: 'overloaded', retryable: true, details: { status: 529 } });
    expect(server.requests).toHaveLength(5);
  });

  it('retries an Anthropic in-stream overloaded error that came before any output', async () => {
    const server = await useWireServer();
    const start = anthropicStream({ text: 'x' })[0]!;
    server.enqueue(
      { stream: [start, anthropicStreamError('overloaded_error', 'Overloaded')] },
      { stream: anthropicStream({ text: 'recovered' }) },
    );
    const parts = await all(flavours[1]!.make(server.origin, 0).stream(ask));
    expect(parts.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('')).toBe(
      'recovered',
    );
    expect(server.requests).toHaveLength(2);
  });

  it('types malformed OpenAI tool arguments in a non-streaming response', async () => {
    const server = await useWireServer();
    server.enqueue({
      json: openaiChatCompletion({
        toolCalls: [{ id: 'c9', name: 'get_weather', args: "{city: 'Paris'}" }],
      }),
    });
    const error = await failure(flavours[0]!.make(server.origin, 0).generate(ask));
    expect(error).toMatchObject({
      code: 'bad_tool_arguments',
      details: { rawArguments: "{city: 'Paris'}" },
    });
    expect((error as Error).message).toContain("{city: 'Paris'}");
  });

  it('retries a non-streaming body cut half way', async () => {
    const server = await useWireServer();
    server.enqueue(
      { json: openaiChatCompletion({ text: 'cut' }), cutAfter: 0 },
      { json: openaiChatCompletion({ text: 'whole' }) },
    );
    expect((await flavours[0]!.make(server.origin, 0).generate(ask)).text).toBe('whole');
  });

  it('reports an unreachable server as a connection error naming the base URL variable', async () => {
    const server = await useWireServer();
    const origin = server.origin;
    await server.close();
    const error = await failure(flavours[0]!.make(origin, 0).generate(ask));
    expect(error).toMatchObject({ code: 'connection', blame: 'config' });
    expect((error as Error).message).toContain('OPENAI_BASE_URL');
  });
});
