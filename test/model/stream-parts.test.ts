import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ModelResponse, ModelStreamPart } from '../../src/model/language-model.ts';
import { textResponse, toolCallsResponse } from '../../src/model/scripted-model.ts';
import { collectStream, responseToParts } from '../../src/model/stream-parts.ts';

async function* from(parts: readonly ModelStreamPart[]): AsyncIterable<ModelStreamPart> {
  for (const part of parts) {
    // A real stream yields between parts; folding must not depend on parts arriving at once.
    await Promise.resolve();
    yield part;
  }
}

const usage = { inputTokens: 7, outputTokens: 3 };

describe('collectStream', () => {
  it('concatenates text deltas in arrival order', async () => {
    const response = await collectStream(
      from([
        { type: 'text-delta', text: 'Hel' },
        { type: 'text-delta', text: '' },
        { type: 'text-delta', text: 'lo, ' },
        { type: 'text-delta', text: 'world' },
        { type: 'finish', finishReason: 'stop', usage },
      ]),
    );
    expect(response).toEqual({ text: 'Hello, world', toolCalls: [], finishReason: 'stop', usage });
  });

  it('orders completed tool calls by their index, not by when they completed', async () => {
    const a = { id: 'a', name: 'first', args: { n: 1 } };
    const b = { id: 'b', name: 'second', args: { n: 2 } };
    const c = { id: 'c', name: 'third', args: {} };
    const response = await collectStream(
      from([
        { type: 'tool-call-start', index: 0, id: 'a', name: 'first' },
        { type: 'tool-call-start', index: 1, id: 'b', name: 'second' },
        { type: 'tool-call-start', index: 2, id: 'c', name: 'third' },
        { type: 'tool-call', index: 2, toolCall: c },
        { type: 'tool-call', index: 0, toolCall: a },
        { type: 'tool-call', index: 1, toolCall: b },
        { type: 'finish', finishReason: 'tool_calls', usage },
      ]),
    );
    expect(response.toolCalls).toEqual([a, b, c]);
    expect(response.finishReason).toBe('tool_calls');
  });

  it('builds calls only from completed tool-call parts, never from starts or deltas', async () => {
    const response = await collectStream(
      from([
        { type: 'tool-call-start', index: 0, id: 'x', name: 'unfinished' },
        { type: 'tool-call-delta', index: 0, id: 'x', argsTextDelta: '{"a":' },
        { type: 'finish', finishReason: 'length', usage },
      ]),
    );
    expect(response.toolCalls).toEqual([]);
    expect(response.text).toBe('');
    expect(response.finishReason).toBe('length');
  });

  it('reports finish reason "other" and zero usage when the stream never finished', async () => {
    expect(await collectStream(from([{ type: 'text-delta', text: 'partial' }]))).toEqual({
      text: 'partial',
      toolCalls: [],
      finishReason: 'other',
      usage: { inputTokens: 0, outputTokens: 0 },
    });
    expect(await collectStream(from([]))).toEqual({
      text: '',
      toolCalls: [],
      finishReason: 'other',
      usage: { inputTokens: 0, outputTokens: 0 },
    });
  });

  it('takes the last finish part when a stream sends more than one', async () => {
    const response = await collectStream(
      from([
        { type: 'finish', finishReason: 'length', usage: { inputTokens: 1, outputTokens: 1 } },
        { type: 'finish', finishReason: 'stop', usage },
      ]),
    );
    expect(response.finishReason).toBe('stop');
    expect(response.usage).toEqual(usage);
  });

  it('passes an error from the stream through to the caller', async () => {
    async function* broken(): AsyncIterable<ModelStreamPart> {
      yield { type: 'text-delta', text: 'so far' };
      throw new Error('connection reset');
    }
    await expect(collectStream(broken())).rejects.toThrow('connection reset');
  });
});

describe('responseToParts', () => {
  it('emits text, then start/delta/complete per call with its index, then finish', () => {
    const response: ModelResponse = {
      ...toolCallsResponse([
        { id: 'c1', name: 'weather.get', args: { city: 'Paris' } },
        { id: 'c2', name: 'calc', args: [1, 2] },
      ]),
      text: 'Let me check.',
    };
    expect(responseToParts(response)).toEqual([
      { type: 'text-delta', text: 'Let me check.' },
      { type: 'tool-call-start', index: 0, id: 'c1', name: 'weather.get' },
      { type: 'tool-call-delta', index: 0, id: 'c1', argsTextDelta: '{"city":"Paris"}' },
      {
        type: 'tool-call',
        index: 0,
        toolCall: { id: 'c1', name: 'weather.get', args: { city: 'Paris' } },
      },
      { type: 'tool-call-start', index: 1, id: 'c2', name: 'calc' },
      { type: 'tool-call-delta', index: 1, id: 'c2', argsTextDelta: '[1,2]' },
      { type: 'tool-call', index: 1, toolCall: { id: 'c2', name: 'calc', args: [1, 2] } },
      { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 10, outputTokens: 5 } },
    ]);
  });

  it('sends no text delta for empty text, and "{}" as the arguments text of absent args', () => {
    const parts = responseToParts({
      text: '',
      toolCalls: [{ id: 'n', name: 'noargs', args: undefined }],
      finishReason: 'tool_calls',
      usage,
    });
    expect(parts.map((p) => p.type)).toEqual([
      'tool-call-start',
      'tool-call-delta',
      'tool-call',
      'finish',
    ]);
    expect(parts[1]).toMatchObject({ argsTextDelta: '{}' });
    expect(responseToParts(textResponse(''))).toEqual([
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 5 } },
    ]);
  });

  it('drops `raw`: the fold of the parts is the response without it', async () => {
    const response = { ...textResponse('hi'), raw: { provider: 'body' } };
    const { raw: _raw, ...rest } = response;
    expect(await collectStream(from(responseToParts(response)))).toEqual(rest);
  });
});

const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const finishReason = fc.constantFrom(
  'stop',
  'length',
  'tool_calls',
  'content_filter',
  'error',
  'other',
) as fc.Arbitrary<ModelResponse['finishReason']>;

const responseArb: fc.Arbitrary<ModelResponse> = fc.record({
  text: fc.string(),
  toolCalls: fc.array(fc.record({ id: fc.string(), name: fc.string(), args: json }), {
    maxLength: 5,
  }),
  finishReason,
  usage: fc.record({ inputTokens: fc.nat(), outputTokens: fc.nat() }),
});

describe('stream parts (property)', () => {
  it('collectStream(responseToParts(r)) is r for any response', async () => {
    await fc.assert(
      fc.asyncProperty(responseArb, async (response) => {
        expect(await collectStream(from(responseToParts(response)))).toEqual(response);
      }),
    );
  });

  it('each call’s argument delta parses back to its args', () => {
    fc.assert(
      fc.property(responseArb, (response) => {
        const deltas = responseToParts(response).filter((p) => p.type === 'tool-call-delta');
        expect(deltas.map((d) => JSON.parse(d.argsTextDelta))).toEqual(
          response.toolCalls.map((c) => c.args ?? {}),
        );
        expect(deltas.map((d) => d.index)).toEqual(response.toolCalls.map((_, i) => i));
      }),
    );
  });

  it('the fold does not depend on how text is split into deltas', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string(), { maxLength: 12 }), async (pieces) => {
        const parts: ModelStreamPart[] = pieces.map((text) => ({ type: 'text-delta', text }));
        expect((await collectStream(from(parts))).text).toBe(pieces.join(''));
      }),
    );
  });
});
