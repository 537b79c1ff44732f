import { describe, expect, it } from 'vitest';
import { collectStream } from '../../src/model/stream-parts.ts';
import { OpenAIModel } from '../../src/providers/openai.ts';
import {
  COMPATIBLE_SHAPES,
  compatibleChatStream,
  shapeModel,
} from '../../src/record/compatible-shapes.ts';
import { useWireServer } from '../support/wire-server.ts';

const reply = {
  text: 'Zürich first, then 東京 🌧',
  toolCalls: [
    { id: 'call_one', name: 'get_weather', args: { city: 'Zürich 🌧' } },
    { id: 'call_two', name: 'get_weather', args: { city: '東京' } },
  ],
  usage: { inputTokens: 321, outputTokens: 45 },
  // Small pieces: arguments split inside JSON strings, across the emoji's surrogate pair.
  chunkSize: 5,
};

function events(shape: (typeof COMPATIBLE_SHAPES)[number]) {
  return compatibleChatStream(reply, shape).map((e) =>
    e === 'data: [DONE]\n\n' ? e : JSON.parse(e.slice('data: '.length)),
  );
}

describe('compatibleChatStream', () => {
  for (const shape of COMPATIBLE_SHAPES) {
    it(`${shape}: the OpenAI adapter reads it back exactly, over HTTP`, async () => {
      const server = await useWireServer();
      server.enqueue({ stream: compatibleChatStream(reply, shape) });
      const model = new OpenAIModel({ baseURL: `${server.origin}/v1`, maxRetries: 0 });
      const got = await collectStream(
        model.stream({
          messages: [{ role: 'user', content: 'weather?' }],
          tools: [{ name: 'get_weather', description: 'w', inputSchema: { type: 'object' } }],
        }),
      );
      expect(got.text).toBe(reply.text);
      expect(got.toolCalls).toEqual(reply.toolCalls);
      expect(got.usage).toEqual(reply.usage);
      expect(got.finishReason).toBe('tool_calls');
      expect(got.reasoning === undefined).toBe(
        !['deepseek', 'xai', 'ollama', 'llamacpp', 'vllm'].includes(shape),
      );
    });
  }

  it('qwen: continuation pieces carry an empty id and a type, and a closing empty piece', () => {
    const pieces = events('qwen').flatMap((e) => e.choices?.[0]?.delta?.tool_calls ?? []);
    expect(pieces[0]).toMatchObject({ index: 0, id: 'call_one', type: 'function' });
    expect(pieces.slice(1).filter((p: { id: string }) => p.id === '').length).toBe(
      pieces.length - 2,
    );
    expect(events('qwen').at(-2)).toMatchObject({ choices: [], usage: { prompt_tokens: 321 } });
  });

  it('mistral: whole calls without type or index, the finish and usage on the last call', () => {
    const withCalls = events('mistral').filter((e) => e.choices?.[0]?.delta?.tool_calls);
    expect(withCalls).toHaveLength(2);
    for (const e of withCalls) {
      const [piece] = e.choices[0].delta.tool_calls;
      expect(piece.type).toBeUndefined();
      expect(piece.index).toBeUndefined();
    }
    expect(withCalls[1]).toMatchObject({
      choices: [{ finish_reason: 'tool_calls' }],
      usage: { completion_tokens: 45 },
    });
  });

  it('vllm: the head piece names the call without arguments; usage comes on its own', () => {
    const head = events('vllm').flatMap((e) => e.choices?.[0]?.delta?.tool_calls ?? [])[0];
    expect(head.function).toEqual({ name: 'get_weather' });
    expect(events('vllm').at(-2)).toMatchObject({ choices: [], usage: { total_tokens: 366 } });
  });

  it('llamacpp: usage and timings on the finish chunk', () => {
    expect(events('llamacpp').at(-2)).toMatchObject({
      choices: [{ finish_reason: 'tool_calls' }],
      usage: { prompt_tokens: 321 },
      timings: { predicted_n: 40 },
    });
  });

  it('names a model of the shape and streams text replies too', () => {
    for (const shape of COMPATIBLE_SHAPES) {
      expect(shapeModel(shape)).not.toBe('');
      const text = compatibleChatStream({ text: 'hi' }, shape).join('');
      expect(text).toContain('"finish_reason":"stop"');
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    }
  });
});
