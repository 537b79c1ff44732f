import Anthropic from '@anthropic-ai/sdk';
import fc from 'fast-check';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import {
  anthropicInteraction,
  createCassette,
  openaiInteraction,
} from '../../src/record/author.ts';
import type { Interaction } from '../../src/record/cassette.ts';
import { createReplayFetch } from '../../src/record/replay-fetch.ts';
import {
  anthropicError,
  anthropicMessage,
  anthropicStream,
  anthropicStreamError,
  openaiChatCompletion,
  openaiChatStream,
  openaiError,
  splitText,
} from '../../src/record/wire-formats.ts';

/** The real SDKs, answered from a cassette through a replay fetch: no server, no key. */
function openai(...interactions: Interaction[]) {
  return new OpenAI({
    apiKey: 'sk-test',
    maxRetries: 0,
    fetch: createReplayFetch({ cassette: createCassette(interactions) }),
  });
}

function anthropic(...interactions: Interaction[]) {
  return new Anthropic({
    apiKey: 'sk-ant-test',
    maxRetries: 0,
    fetch: createReplayFetch({ cassette: createCassette(interactions) }),
  });
}

const chat = { model: 'gpt-4.1-mini', messages: [{ role: 'user' as const, content: 'hi' }] };
const messages = {
  model: 'claude-sonnet-4-6',
  max_tokens: 100,
  messages: [{ role: 'user' as const, content: 'hi' }],
};

function sseJson(events: string[]): unknown[] {
  return events.flatMap((event) =>
    event
      .split('\n')
      .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
      .map((line) => JSON.parse(line.slice(6))),
  );
}

describe('splitText', () => {
  it('splits into pieces of the size, the last one shorter, none for empty text', () => {
    expect(splitText('', 3)).toEqual([]);
    expect(splitText('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
    expect(splitText('abc', 3)).toEqual(['abc']);
    expect(splitText('x'.repeat(13))).toEqual(['x'.repeat(12), 'x']);
  });

  it('rejoins to the text, every piece full-sized but the last (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 1, max: 20 }), (text, size) => {
        const pieces = splitText(text, size);
        expect(pieces.join('')).toBe(text);
        for (const p of pieces.slice(0, -1)) expect(p.length).toBe(size);
        if (pieces.length) expect(pieces.at(-1)!.length).toBeLessThanOrEqual(size);
        expect(pieces.length).toBe(Math.ceil(text.length / size));
      }),
    );
  });
});

describe('OpenAI chat completions, parsed by the openai SDK', () => {
  it('a text completion: content, finish reason, usage, deterministic ids', async () => {
    const client = openai(
      openaiInteraction({ text: 'Hello there.', usage: { inputTokens: 11, outputTokens: 3 } }),
    );
    const completion = await client.chat.completions.create(chat);
    expect(completion.id).toBe('chatcmpl-toolplan0001');
    expect(completion.model).toBe('gpt-4.1-mini-2025-04-14');
    expect(completion.choices[0]!.message.content).toBe('Hello there.');
    expect(completion.choices[0]!.message.tool_calls).toBeUndefined();
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({
      prompt_tokens: 11,
      completion_tokens: 3,
      total_tokens: 14,
    });
  });

  it('tool calls: null content, numbered ids, arguments as JSON text, raw text kept raw', async () => {
    const client = openai(
      openaiInteraction({
        toolCalls: [
          { name: 'weather_get', args: { city: 'Paris' } },
          { id: 'call_custom', name: 'calc', args: '{"expr": "2+' },
          { name: 'noargs', args: undefined },
        ],
      }),
    );
    const message = (await client.chat.completions.create(chat)).choices[0]!;
    expect(message.finish_reason).toBe('tool_calls');
    expect(message.message.content).toBeNull();
    expect(message.message.tool_calls).toEqual([
      {
        id: 'call_001',
        type: 'function',
        function: { name: 'weather_get', arguments: '{"city":"Paris"}' },
      },
      {
        id: 'call_custom',
        type: 'function',
        function: { name: 'calc', arguments: '{"expr": "2+' },
      },
      { id: 'call_003', type: 'function', function: { name: 'noargs', arguments: '{}' } },
    ]);
  });

  it('honours an explicit finish reason, model and id', async () => {
    const body = openaiChatCompletion({ text: 'cut', finishReason: 'length', model: 'm', id: 'i' });
    const client = openai({
      request: { method: 'POST', path: '/v1/chat/completions' },
      response: { status: 200, headers: {}, body },
    });
    const completion = await client.chat.completions.create(chat);
    expect([completion.id, completion.model, completion.choices[0]!.finish_reason]).toEqual([
      'i',
      'm',
      'length',
    ]);
  });

  it('a stream: role, text deltas of chunkSize, tool call header then argument deltas, usage, [DONE]', async () => {
    const reply = {
      text: 'Checking the weather now.',
      toolCalls: [{ name: 'weather_get', args: { city: 'Paris', units: 'metric' } }],
      chunkSize: 5,
      usage: { inputTokens: 30, outputTokens: 12 },
    };
    const events = openaiChatStream(reply);
    expect(events.at(-1)).toBe('data: [DONE]\n\n');
    for (const event of events) expect(event.endsWith('\n\n')).toBe(true);

    const client = openai(openaiInteraction({ ...reply, stream: true }));
    const stream = await client.chat.completions.create({
      ...chat,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const textDeltas: string[] = [];
    const args: string[] = [];
    let header: unknown;
    let finish: string | null = null;
    let usage: unknown;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      if (choice.delta.content) {
        text += choice.delta.content;
        textDeltas.push(choice.delta.content);
      }
      for (const call of choice.delta.tool_calls ?? []) {
        if (call.id) header = { id: call.id, name: call.function?.name, index: call.index };
        else args.push(call.function?.arguments ?? '');
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    expect(text).toBe(reply.text);
    expect(textDeltas).toEqual(splitText(reply.text, 5));
    expect(header).toEqual({ id: 'call_001', name: 'weather_get', index: 0 });
    expect(JSON.parse(args.join(''))).toEqual({ city: 'Paris', units: 'metric' });
    expect(args).toEqual(splitText('{"city":"Paris","units":"metric"}', 5));
    expect(finish).toBe('tool_calls');
    expect(usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 });
  });

  it('a stream the SDK’s own accumulator folds into the same message as the JSON form', async () => {
    const reply = {
      text: 'Both, then: ',
      toolCalls: [
        { name: 'a', args: { n: 1 } },
        { name: 'b', args: { list: [1, 2, 3], nested: { deep: 'é✓😀' } } },
      ],
      chunkSize: 3,
    };
    const client = openai(openaiInteraction({ ...reply, stream: true }), openaiInteraction(reply));
    const streamed = await client.chat.completions.stream(chat).finalChatCompletion();
    const plain = await client.chat.completions.create(chat);
    expect(streamed.choices[0]!.message.content).toBe(plain.choices[0]!.message.content);
    expect(streamed.choices[0]!.message.tool_calls).toEqual(plain.choices[0]!.message.tool_calls);
    expect(streamed.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('an empty reply streams no content delta and finishes with stop', () => {
    const chunks = sseJson(openaiChatStream({})) as {
      choices: { delta: Record<string, unknown>; finish_reason: string | null }[];
    }[];
    expect(chunks).toHaveLength(3);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(chunks[1]!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks[2]!.choices).toEqual([]);
  });

  it('an error body becomes the SDK’s typed error with message, type and code', async () => {
    const client = openai({
      request: { method: 'POST', path: '/v1/chat/completions' },
      response: {
        status: 401,
        headers: { 'x-request-id': 'req_auth' },
        body: openaiError('Incorrect API key provided', 'invalid_request_error', 'invalid_api_key'),
      },
    });
    const error = await client.chat.completions.create(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({
      status: 401,
      code: 'invalid_api_key',
      type: 'invalid_request_error',
      requestID: 'req_auth',
    });
    expect((error as Error).message).toContain('Incorrect API key provided');
    expect(openaiError('m')).toEqual({
      error: { message: 'm', type: 'invalid_request_error', param: null, code: null },
    });
  });
});

describe('Anthropic messages, parsed by the @anthropic-ai/sdk SDK', () => {
  it('a message with text and tool use: blocks in order, ids, stop reason, usage', async () => {
    const client = anthropic(
      anthropicInteraction({
        text: 'Let me look.',
        toolCalls: [
          { name: 'weather_get', args: { city: 'Paris' } },
          { id: 'toolu_custom', name: 'calc', args: '{"expr":"6*7"}' },
        ],
        usage: { inputTokens: 40, outputTokens: 9 },
      }),
    );
    const message = await client.messages.create(messages);
    expect(message.id).toBe('msg_toolplan0001');
    expect(message.model).toBe('claude-sonnet-4-5-20250929');
    expect(message.content).toEqual([
      { type: 'text', text: 'Let me look.' },
      { type: 'tool_use', id: 'toolu_001', name: 'weather_get', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'toolu_custom', name: 'calc', input: { expr: '6*7' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 40, output_tokens: 9 });
  });

  it('a text-only message ends its turn; an explicit stop reason wins', async () => {
    expect(anthropicMessage({ text: 'done' })).toMatchObject({
      content: [{ type: 'text', text: 'done' }],
      stop_reason: 'end_turn',
    });
    expect(anthropicMessage({ text: 'cut', finishReason: 'max_tokens' }).stop_reason).toBe(
      'max_tokens',
    );
    expect(anthropicMessage({}).content).toEqual([]);
  });

  it('a stream the SDK folds into the same message as the JSON form', async () => {
    const reply = {
      text: 'Checking both cities, with ünïcödé 😀.',
      toolCalls: [
        { name: 'weather_get', args: { city: 'Paris' } },
        { name: 'weather_get', args: { city: 'London', days: [1, 2] } },
      ],
      chunkSize: 4,
      usage: { inputTokens: 50, outputTokens: 25 },
    };
    const client = anthropic(
      anthropicInteraction({ ...reply, stream: true }),
      anthropicInteraction(reply),
    );
    const streamed = await client.messages.stream(messages).finalMessage();
    const plain = await client.messages.create(messages);
    expect(streamed.content).toEqual(plain.content);
    expect(streamed.stop_reason).toBe('tool_use');
    expect(streamed.usage).toMatchObject({ input_tokens: 50, output_tokens: 25 });
  });

  it('a stream: message_start, text block with ping, tool blocks, message_delta, message_stop', () => {
    const events = anthropicStream({
      text: 'abcdef',
      toolCalls: [{ name: 't', args: { a: 1 } }],
      chunkSize: 4,
    });
    const types = events.map((e) => /^event: (\S+)/.exec(e)?.[1]);
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const data = sseJson(events) as { index?: number; delta?: { partial_json?: string } }[];
    // Blocks are numbered in order; the tool block follows the text block.
    expect(data[6]!.index).toBe(1);
    expect(
      data
        .slice(7, 10)
        .map((d) => d.delta!.partial_json)
        .join(''),
    ).toBe('{"a":1}');
  });

  it('an error body becomes the SDK’s typed error', async () => {
    const client = anthropic({
      request: { method: 'POST', path: '/v1/messages' },
      response: {
        status: 529,
        headers: {},
        body: anthropicError('overloaded_error', 'Overloaded'),
      },
    });
    const error = await client.messages.create(messages).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({
      status: 529,
      error: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    });
  });

  it('an error event after a 200 makes the SDK’s stream fail with the provider’s message', async () => {
    const chunks = anthropicStream({ text: 'partial answer', chunkSize: 4 });
    const client = anthropic({
      request: { method: 'POST', path: '/v1/messages' },
      response: {
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        stream: [...chunks.slice(0, 4), anthropicStreamError('overloaded_error', 'Overloaded')],
      },
    });
    const seen: string[] = [];
    const stream = client.messages.stream(messages).on('text', (t) => seen.push(t));
    await expect(stream.finalMessage()).rejects.toThrow(/Overloaded/);
    expect(seen.join('')).toBe('part');
  });
});

describe('authoring helpers', () => {
  it('route each provider’s interaction and carry an optional body to match', () => {
    const withBody = openaiInteraction({ request: { model: 'x' }, text: 'a' });
    expect(withBody.request).toEqual({
      method: 'POST',
      path: '/v1/chat/completions',
      body: { model: 'x' },
    });
    expect(withBody.response.headers).toEqual({ 'content-type': 'application/json' });
    expect(anthropicInteraction({ text: 'a' }).request).toEqual({
      method: 'POST',
      path: '/v1/messages',
    });
    const streamed = anthropicInteraction({ text: 'a', stream: true });
    expect(streamed.response.body).toBeUndefined();
    expect(streamed.response.stream).toEqual(anthropicStream({ text: 'a' }));
    expect(createCassette([], 'why')).toEqual({ version: 1, note: 'why', interactions: [] });
    expect(createCassette([])).toEqual({ version: 1, interactions: [] });
  });
});

describe('wire formats (property)', () => {
  const argsArb = fc.dictionary(
    fc.string({ minLength: 1, maxLength: 8 }),
    fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 })),
    { maxKeys: 4 },
  );
  const replyArb = fc.record({
    text: fc.string({ maxLength: 60 }),
    toolCalls: fc.array(fc.record({ name: fc.stringMatching(/^[a-z_]{1,12}$/), args: argsArb }), {
      maxLength: 3,
    }),
    chunkSize: fc.integer({ min: 1, max: 16 }),
  });

  it('any OpenAI stream folds, in the SDK, to the same message as its JSON form', async () => {
    await fc.assert(
      fc.asyncProperty(replyArb, async (reply) => {
        const client = openai(
          openaiInteraction({ ...reply, stream: true }),
          openaiInteraction(reply),
        );
        const streamed = (await client.chat.completions.stream(chat).finalChatCompletion())
          .choices[0]!;
        const plain = (await client.chat.completions.create(chat)).choices[0]!;
        expect(streamed.message.content ?? '').toBe(plain.message.content ?? '');
        expect(streamed.message.tool_calls ?? []).toEqual(plain.message.tool_calls ?? []);
        expect(streamed.finish_reason).toBe(plain.finish_reason);
      }),
      { numRuns: 40 },
    );
  });

  it('any Anthropic stream folds, in the SDK, to the same message as its JSON form', async () => {
    await fc.assert(
      fc.asyncProperty(replyArb, async (reply) => {
        const client = anthropic(
          anthropicInteraction({ ...reply, stream: true }),
          anthropicInteraction(reply),
        );
        const streamed = await client.messages.stream(messages).finalMessage();
        const plain = await client.messages.create(messages);
        expect(streamed.content).toEqual(plain.content);
        expect(streamed.stop_reason).toBe(plain.stop_reason);
      }),
      { numRuns: 40 },
    );
  });
});
