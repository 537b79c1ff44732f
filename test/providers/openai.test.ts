import { describe, expect, it } from 'vitest';
import type { ModelRequest, ModelStreamPart } from '../../src/model/language-model.ts';
import { collectStream } from '../../src/model/stream-parts.ts';
import { OpenAIModel } from '../../src/providers/openai.ts';
import { openaiChatCompletion, openaiChatStream } from '../../src/record/wire-formats.ts';
import { bodyOf, TEST_OPENAI_KEY, useWireServer, wireToolName } from '../support/wire-server.ts';

const tools: ModelRequest['tools'] = [
  {
    name: 'math_toolkit.sum_of_multiples',
    description: 'Sum of multiples below a limit',
    inputSchema: {
      type: 'object',
      properties: { limit: { type: 'integer' } },
      required: ['limit'],
    },
  },
  {
    name: 'get_weather',
    description: 'Weather for a city',
    inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
  },
];

function model(origin: string) {
  return new OpenAIModel({ apiKey: TEST_OPENAI_KEY, baseURL: `${origin}/v1`, maxRetries: 0 });
}

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('OpenAIModel over the real SDK and HTTP', () => {
  it('generates text and sends a chat completions request', async () => {
    const server = await useWireServer();
    server.enqueue({
      json: openaiChatCompletion({
        text: 'Hello there',
        usage: { inputTokens: 12, outputTokens: 3 },
      }),
    });
    const response = await model(server.origin).generate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      maxOutputTokens: 50,
      temperature: 0,
    });
    expect(response).toMatchObject({
      text: 'Hello there',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 12, outputTokens: 3 },
    });
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe(`Bearer ${TEST_OPENAI_KEY}`);
    expect(request?.body).toMatchObject({
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      max_tokens: 50,
      temperature: 0,
    });
  });

  it('maps parallel tool calls back to registered names', async () => {
    const server = await useWireServer();
    const m = model(server.origin);
    server.enqueue({ json: openaiChatCompletion({}) });
    await m.generate({ messages: [{ role: 'user', content: 'x' }], tools, toolChoice: 'required' });
    const sent = server.requests[0]?.body as {
      tools: { function: { name: string } }[];
      tool_choice: string;
    };
    const wireName = sent.tools[0]!.function.name;
    expect(wireName).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(wireName).not.toBe('math_toolkit.sum_of_multiples');
    expect(sent.tools[1]!.function.name).toBe('get_weather');
    expect(sent.tool_choice).toBe('required');

    server.enqueue({
      json: openaiChatCompletion({
        toolCalls: [
          { id: 'call_a', name: wireName, args: { limit: 10 } },
          { id: 'call_b', name: 'get_weather', args: { city: 'Paris' } },
        ],
      }),
    });
    const response = await m.generate({ messages: [{ role: 'user', content: 'x' }], tools });
    expect(response.finishReason).toBe('tool_calls');
    expect(response.toolCalls).toEqual([
      { id: 'call_a', name: 'math_toolkit.sum_of_multiples', args: { limit: 10 } },
      { id: 'call_b', name: 'get_weather', args: { city: 'Paris' } },
    ]);
  });

  it('sends tool history in the chat completions shape', async () => {
    const server = await useWireServer();
    server.enqueue({ json: openaiChatCompletion({ text: '23' }) });
    await model(server.origin).generate({
      tools,
      toolChoice: { name: 'math_toolkit.sum_of_multiples' },
      responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' } },
      messages: [
        { role: 'user', content: 'sum' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'c1', name: 'math_toolkit.sum_of_multiples', args: { limit: 10 } }],
        },
        { role: 'tool', results: [{ toolCallId: 'c1', content: '23' }] },
      ],
    });
    const body = bodyOf(server.requests[0]);
    const wire = wireToolName(server.requests[0]);
    expect(body.messages[1]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'c1', type: 'function', function: { name: wire, arguments: '{"limit":10}' } },
      ],
    });
    expect(body.messages[2]).toEqual({ role: 'tool', tool_call_id: 'c1', content: '23' });
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: wire } });
    expect(body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'answer', schema: { type: 'object' } },
    });
  });

  it('streams text deltas and usage', async () => {
    const server = await useWireServer();
    server.enqueue({
      stream: openaiChatStream({
        text: 'Streaming works fine.',
        chunkSize: 5,
        usage: { inputTokens: 7, outputTokens: 4 },
      }),
    });
    const parts = await all(
      model(server.origin).stream({ messages: [{ role: 'user', content: 'Hi' }] }),
    );
    const text = parts.flatMap((p) => (p.type === 'text-delta' ? [p.text] : []));
    expect(text).toEqual(['Strea', 'ming ', 'works', ' fine', '.']);
    expect(parts.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: 7, outputTokens: 4 },
    });
    expect(server.requests[0]?.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('streams parallel tool calls, completed at the finish (a late piece of an earlier call still lands)', async () => {
    const server = await useWireServer();
    const m = model(server.origin);
    server.enqueue({ json: openaiChatCompletion({}) });
    await m.generate({ messages: [{ role: 'user', content: 'x' }], tools });
    const wireName = wireToolName(server.requests[0]);
    server.enqueue({
      stream: openaiChatStream({
        chunkSize: 4,
        toolCalls: [
          { id: 'call_a', name: wireName, args: { limit: 1000 } },
          { id: 'call_b', name: 'get_weather', args: { city: 'Paris' } },
        ],
      }),
    });
    const parts: ModelStreamPart[] = await all(
      m.stream({ messages: [{ role: 'user', content: 'x' }], tools }),
    );
    const kinds = parts.map((p) => p.type);
    expect(kinds.indexOf('tool-call')).toBeGreaterThan(kinds.lastIndexOf('tool-call-delta'));
    const calls = parts.flatMap((p) => (p.type === 'tool-call' ? [p.toolCall] : []));
    expect(calls).toEqual([
      { id: 'call_a', name: 'math_toolkit.sum_of_multiples', args: { limit: 1000 } },
      { id: 'call_b', name: 'get_weather', args: { city: 'Paris' } },
    ]);
    const collected = await collectStream(
      (async function* () {
        yield* parts;
      })(),
    );
    expect(collected.finishReason).toBe('tool_calls');
  });

  it('tells apart calls a local server streams all at index 0', async () => {
    const server = await useWireServer();
    const chunk = (delta: unknown, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'qwen3', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const call = (id: string, city: string) => ({
      tool_calls: [
        {
          index: 0,
          id,
          type: 'function',
          function: { name: 'get_weather', arguments: JSON.stringify({ city }) },
        },
      ],
    });
    server.enqueue({
      stream: [
        chunk({ role: 'assistant' }),
        chunk(call('a', 'Rome')),
        chunk(call('b', 'Oslo')),
        chunk({}, 'tool_calls'),
        'data: [DONE]\n\n',
      ],
    });
    const parts = await all(
      model(server.origin).stream({ messages: [{ role: 'user', content: 'x' }], tools }),
    );
    expect(parts.flatMap((p) => (p.type === 'tool-call' ? [p.toolCall] : []))).toEqual([
      { id: 'a', name: 'get_weather', args: { city: 'Rome' } },
      { id: 'b', name: 'get_weather', args: { city: 'Oslo' } },
    ]);
    // No usage chunk from this server: counted from characters and marked as estimated.
    const finish = parts.at(-1);
    expect(finish).toMatchObject({ type: 'finish', finishReason: 'tool_calls' });
    const usage = finish?.type === 'finish' ? finish.usage : undefined;
    expect(usage?.estimated).toBe(true);
    expect(usage?.inputTokens).toBeGreaterThan(0);
    // Two calls' arguments, {"city":"Rome"} and {"city":"Oslo"}: 32 characters.
    expect(usage?.outputTokens).toBe(8);
  });

  it('works against a local server with no key (placeholder sent)', async () => {
    const server = await useWireServer();
    server.enqueue({ json: openaiChatCompletion({ text: 'local' }) });
    const m = new OpenAIModel({ baseURL: `${server.origin}/v1`, model: 'llama3.1' });
    expect((await m.generate({ messages: [{ role: 'user', content: 'hi' }] })).text).toBe('local');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer toolplan-no-key');
  });
});
