import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scrubChunks, serializeCassette } from '../../src/record/cassette.ts';
import { REDACTED } from '../../src/secrets/secret-values.ts';

const KEY = 'sk-live-split-0123456789abcdef';

describe('scrubChunks', () => {
  it('catches a key split across two chunks, marking the chunk where it began', () => {
    const chunks = ['data: {"echo":"sk-live-split-0123', '456789abcdef"}\n\n', 'data: [DONE]\n\n'];
    expect(scrubChunks(chunks, [KEY])).toEqual([
      `data: {"echo":"${REDACTED}`,
      '"}\n\n',
      'data: [DONE]\n\n',
    ]);
  });

  it('catches a key spread over many chunks and keeps every other boundary', () => {
    const chunks = ['a sk-live-', 'split-', '0123456789', 'abcdef b', ' c'];
    expect(scrubChunks(chunks, [KEY])).toEqual([`a ${REDACTED}`, '', '', ' b', ' c']);
  });

  it('leaves chunks without secrets as they are', () => {
    const chunks = ['one', 'two'];
    expect(scrubChunks(chunks, [KEY])).toEqual(chunks);
  });

  it('never leaves a secret in the joined text, however the text is cut (property)', () => {
    const secrets = [KEY, 'sk-ant-other-key-9876543210'];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('x', ' ', '"', KEY, secrets[1]!, 'sk-live-'), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (words, cuts) => {
          const text = words.join('');
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const chunks: string[] = [];
          let last = 0;
          for (const p of points) {
            chunks.push(text.slice(last, p));
            last = p;
          }
          chunks.push(text.slice(last));
          const scrubbed = scrubChunks(chunks, secrets);
          expect(scrubbed).toHaveLength(chunks.length);
          const joined = scrubbed.join('');
          for (const s of secrets) expect(joined).not.toContain(s);
          // Scrubbing the joined text gives the same text: only the secrets changed.
          expect(joined).toBe(text.split(KEY).join(REDACTED).split(secrets[1]!).join(REDACTED));
        },
      ),
      { seed: 16, numRuns: 300 },
    );
  });

  it('is applied to streams when a cassette is serialised', () => {
    const text = serializeCassette(
      {
        version: 1,
        interactions: [
          {
            request: { method: 'POST', path: '/v1/chat/completions' },
            response: { status: 200, headers: {}, stream: ['sk-live-split-', '0123456789abcdef'] },
          },
        ],
      },
      [KEY],
    );
    expect(text).not.toContain('0123456789abcdef');
    expect(text).toContain(REDACTED);
  });
});
