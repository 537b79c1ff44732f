import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/errors/runtime-errors.ts';
import { ToolplanError } from '../../src/errors/toolplan-error.ts';
import type { ModelStreamPart } from '../../src/model/language-model.ts';
import { ProviderError } from '../../src/model/provider-error.ts';
import { ScriptedModel, textResponse, toolCallsResponse } from '../../src/model/scripted-model.ts';
import { collectStream, responseToParts } from '../../src/model/stream-parts.ts';

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

describe('ScriptedModel', () => {
  it('answers in script order and records each request', async () => {
    const model = new ScriptedModel([
      toolCallsResponse([{ name: 'a.b', args: { x: 1 } }]),
      (request) => textResponse(`saw ${request.messages.length} messages`),
    ]);
    expect((await model.generate(ask('one'))).toolCalls).toEqual([
      { id: 'call_1', name: 'a.b', args: { x: 1 } },
    ]);
    expect((await model.generate(ask('two'))).text).toBe('saw 1 messages');
    expect(model.requests.map((r) => r.messages[0])).toEqual([
      { role: 'user', content: 'one' },
      { role: 'user', content: 'two' },
    ]);
    expect(model.remaining).toBe(0);
    await expect(model.generate(ask('three'))).rejects.toMatchObject({ code: 'script_exhausted' });
  });

  it('streams a scripted response as parts, and folds scripted parts for generate', async () => {
    const model = new ScriptedModel([
      toolCallsResponse([{ id: 'c1', name: 't', args: {} }]),
      {
        parts: [
          { type: 'text-delta', text: 'he' },
          { type: 'text-delta', text: 'llo' },
          { type: 'finish', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 2 } },
        ],
      },
    ]);
    const parts = await all(model.stream(ask('x')));
    expect(parts.map((p) => p.type)).toEqual([
      'tool-call-start',
      'tool-call-delta',
      'tool-call',
      'finish',
    ]);
    expect(await model.generate(ask('y'))).toEqual({
      text: 'hello',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 1, outputTokens: 2 },
    });
  });

  it('throws scripted errors', async () => {
    const model = new ScriptedModel([{ error: new ProviderError('rate_limited', 'slow down') }]);
    await expect(all(model.stream(ask('x')))).rejects.toMatchObject({
      code: 'rate_limited',
      retryable: true,
    });
  });

  it('honours the abort signal', async () => {
    const model = new ScriptedModel([textResponse('late')], { delayMs: 1000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    await expect(model.generate(ask('x'), { signal: controller.signal })).rejects.toBeInstanceOf(
      CancelledError,
    );
  });
});

describe('stream parts', () => {
  it('round-trips a response through parts', async () => {
    const response = {
      ...toolCallsResponse([
        { name: 'a', args: { n: 1 } },
        { name: 'b', args: [] },
      ]),
      text: 'thinking',
    };
    const parts: ModelStreamPart[] = responseToParts(response);
    expect(
      await collectStream(
        (async function* () {
          yield* parts;
        })(),
      ),
    ).toEqual(response);
  });
});

describe('ProviderError', () => {
  it('is a ToolplanError with blame and retryability by code', () => {
    const auth = new ProviderError('auth', 'set OPENAI_API_KEY', {
      details: { variable: 'OPENAI_API_KEY' },
    });
    expect(auth).toBeInstanceOf(ToolplanError);
    expect(auth.toJSON()).toMatchObject({
      name: 'ProviderError',
      code: 'auth',
      blame: 'config',
      details: { variable: 'OPENAI_API_KEY' },
    });
    expect(auth.retryable).toBe(false);
    expect(new ProviderError('overloaded', 'x').retryable).toBe(true);
    expect(new ProviderError('bad_tool_arguments', 'x').blame).toBe('model');
  });
});
