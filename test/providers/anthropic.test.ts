import { describe, expect, it } from 'vitest';
import type { ModelRequest, ModelStreamPart } from '../../src/model/language-model.ts';
import { AnthropicModel } from '../../src/providers/anthropic.ts';
import { anthropicMessage, anthropicStream } from '../../src/record/wire-formats.ts';
import { bodyOf, TEST_ANTHROPIC_KEY, useWireServer, wireToolName } from '../support/wire-server.ts';

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
    description: 'Weather',
    inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
  },
];

function model(origin: string) {
  return new AnthropicModel({
    apiKey: TEST_ANTHROPIC_KEY,
    baseURL: origin,
    maxRetries: 0,
    model: 'claude-sonnet-4-6',
  });
}

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('AnthropicModel over the real SDK and HTTP', () => {
  it('generates text and sends a messages request (default model)', async () => {
    const server = await useWireServer();
    server.enqueue({
      json: anthropicMessage({ text: 'Bonjour', usage: { inputTokens: 30, outputTokens: 2 } }),
    });
    const defaults = new AnthropicModel({
      apiKey: TEST_ANTHROPIC_KEY,
      baseURL: server.origin,
      maxRetries: 0,
    });
    const response = await defaults.generate({
      messages: [
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Hello' },
      ],
      maxOutputTokens: 100,
    });
    expect(response).toMatchObject({
      text: 'Bonjour',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 30, outputTokens: 2 },
    });
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/messages');
    // This SDK version sends the API key as a bearer token.
    expect(request?.headers.authorization).toBe(`Bearer ${TEST_ANTHROPIC_KEY}`);
    expect(request?.body).toEqual({
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      system: 'Answer in French.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
      stream: false,
    });
  });

  it('maps parallel tool calls and sends tool history as tool_use/tool_result blocks', async () => {
    const server = await useWireServer();
    const m = model(server.origin);
    server.enqueue({ json: anthropicMessage({ text: 'ok' }) });
    await m.generate({
      tools,
      toolChoice: 'required',
      messages: [
        { role: 'user', content: 'sum' },
        {
          role: 'assistant',
          content: 'Calling.',
          toolCalls: [
            { id: 'toolu_1', name: 'math_toolkit.sum_of_multiples', args: { limit: 10 } },
          ],
        },
        { role: 'tool', results: [{ toolCallId: 'toolu_1', content: 'boom', isError: true }] },
        { role: 'user', content: 'and now?' },
      ],
    });
    const body = bodyOf(server.requests[0]);
    const wire = wireToolName(server.requests[0]);
    expect(wire).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(body.tools[0]).toEqual({
      name: wire,
      description: 'Sum of multiples below a limit',
      input_schema: tools![0]!.inputSchema,
    });
    expect(body.tool_choice).toEqual({ type: 'any' });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'sum' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Calling.' },
          { type: 'tool_use', id: 'toolu_1', name: wire, input: { limit: 10 } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'boom', is_error: true },
          { type: 'text', text: 'and now?' },
        ],
      },
    ]);

    server.enqueue({
      json: anthropicMessage({
        toolCalls: [
          { id: 'toolu_a', name: wire, args: { limit: 10 } },
          { id: 'toolu_b', name: 'get_weather', args: { city: 'Oslo' } },
        ],
      }),
    });
    const response = await m.generate({ messages: [{ role: 'user', content: 'x' }], tools });
    expect(response.finishReason).toBe('tool_calls');
    expect(response.toolCalls).toEqual([
      { id: 'toolu_a', name: 'math_toolkit.sum_of_multiples', args: { limit: 10 } },
      { id: 'toolu_b', name: 'get_weather', args: { city: 'Oslo' } },
    ]);
  });

  it('streams text, then parallel tool calls, then usage', async () => {
    const server = await useWireServer();
    const m = model(server.origin);
    server.enqueue({ json: anthropicMessage({}) });
    await m.generate({ messages: [{ role: 'user', content: 'x' }], tools });
    const wire = wireToolName(server.requests[0]);
    server.enqueue({
      stream: anthropicStream({
        text: 'Let me check.',
        chunkSize: 5,
        toolCalls: [
          { id: 'toolu_a', name: wire, args: { limit: 1000 } },
          { id: 'toolu_b', name: 'get_weather', args: { city: 'Oslo' } },
        ],
        usage: { inputTokens: 50, outputTokens: 40 },
      }),
    });
    const parts: ModelStreamPart[] = await all(
      m.stream({ messages: [{ role: 'user', content: 'x' }], tools }),
    );
    expect(parts.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('')).toBe(
      'Let me check.',
    );
    expect(
      parts.filter((p) => p.type === 'tool-call-start').map((p) => (p as { name: string }).name),
    ).toEqual(['math_toolkit.sum_of_multiples', 'get_weather']);
    expect(parts.flatMap((p) => (p.type === 'tool-call' ? [p.toolCall] : []))).toEqual([
      { id: 'toolu_a', name: 'math_toolkit.sum_of_multiples', args: { limit: 1000 } },
      { id: 'toolu_b', name: 'get_weather', args: { city: 'Oslo' } },
    ]);
    expect(parts.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'tool_calls',
      usage: { inputTokens: 50, outputTokens: 40 },
    });
    expect(server.requests[1]?.body).toMatchObject({ stream: true });
  });
});
