import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ModelStreamPart } from '../../src/model/language-model.ts';
import { ChunkFolder, type LooseChunk } from '../../src/providers/openai-chunk-folder.ts';
import { createToolNameMap } from '../../src/providers/tool-names.ts';
import { COMPATIBLE_SHAPES, compatibleChatStream } from '../../src/record/compatible-shapes.ts';
import { openaiChatStream } from '../../src/record/wire-formats.ts';

const ctx = {
  provider: 'openai',
  modelId: 'm',
  baseURL: 'http://x',
  maxRetries: 0,
  phase: 'stream',
} as const;

function fold(events: string[]): ModelStreamPart[] {
  const folder = new ChunkFolder(createToolNameMap(['get_weather', 'book']), 100);
  const parts: ModelStreamPart[] = [];
  for (const event of events) {
    const data = event.slice('data: '.length).trim();
    if (data === '[DONE]') continue;
    parts.push(...folder.fold(JSON.parse(data) as LooseChunk));
  }
  parts.push(...folder.end(ctx));
  return parts;
}

const calls = (parts: ModelStreamPart[]) =>
  parts.flatMap((p) => (p.type === 'tool-call' ? [p.toolCall] : []));

const arbCall = fc.record({
  id: fc.stringMatching(/^call_[a-z0-9]{1,12}$/),
  name: fc.constantFrom('get_weather', 'book'),
  args: fc.dictionary(
    fc.stringMatching(/^[a-z]{1,6}$/),
    fc.oneof(fc.string({ unit: 'grapheme' }), fc.integer()),
  ),
});

describe('ChunkFolder', () => {
  it('every shape and every chunking gives back the calls, text and usage sent (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('openai', ...COMPATIBLE_SHAPES),
        fc
          .array(arbCall, { maxLength: 4 })
          .filter((cs) => new Set(cs.map((c) => c.id)).size === cs.length),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.integer({ min: 1, max: 20 }),
        (shape, toolCalls, text, chunkSize) => {
          const reply = { text, toolCalls, usage: { inputTokens: 7, outputTokens: 3 }, chunkSize };
          const events =
            shape === 'openai' ? openaiChatStream(reply) : compatibleChatStream(reply, shape);
          const parts = fold(events);
          expect(calls(parts)).toEqual(toolCalls);
          const answer = parts.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('');
          expect(answer).toBe(text);
          expect(parts.at(-1)).toEqual({
            type: 'finish',
            finishReason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
            usage: { inputTokens: 7, outputTokens: 3 },
          });
        },
      ),
      { seed: 16, numRuns: 400 },
    );
  });

  it('a call opens once, its deltas carry its position, and it completes at the finish', () => {
    const parts = fold(
      compatibleChatStream(
        {
          toolCalls: [
            { id: 'a', name: 'book', args: { n: 1 } },
            { id: 'b', name: 'book', args: {} },
          ],
          chunkSize: 2,
        },
        'qwen',
      ),
    );
    const kinds = parts.map((p) => `${p.type}${'index' in p ? p.index : ''}`);
    expect(kinds.filter((k) => k.startsWith('tool-call-start'))).toEqual([
      'tool-call-start0',
      'tool-call-start1',
    ]);
    expect(kinds.indexOf('tool-call0')).toBeGreaterThan(kinds.lastIndexOf('tool-call-delta1'));
  });

  it('a stream with no finish_reason was cut: an error, not a short answer', () => {
    const events = openaiChatStream({ text: 'half' }).filter(
      (e) => !e.includes('"finish_reason":"stop"'),
    );
    expect(() => fold(events)).toThrow(/ended before a finish_reason/);
  });
});
