import { describe, expect, it } from 'vitest';
import { createText } from '../../tools/index.ts';
import { call } from './helpers.ts';

describe('text tools', () => {
  const { tools } = createText();

  it('counts words, characters, sentences and lines', async () => {
    expect(
      await call(tools, 'word_count', { text: "It's a dog-eat-dog world.\nReally? Yes!" }),
    ).toEqual({ words: 6, characters: 38, sentences: 3, lines: 2 });
    expect(await call(tools, 'word_count', { text: '' })).toEqual({
      words: 0,
      characters: 0,
      sentences: 0,
      lines: 0,
    });
  });

  it('upper-cases', async () => {
    expect(await call(tools, 'uppercase', { text: 'straße ok' })).toEqual({ text: 'STRASSE OK' });
  });

  it('summarizes as the first N sentences', async () => {
    const text = 'First one. Second one! Third one? Fourth.';
    expect(await call(tools, 'summarize', { text })).toEqual({
      summary: 'First one. Second one!',
      sentences: 2,
      total_sentences: 4,
    });
    expect((await call(tools, 'summarize', { text, sentences: 10 })).sentences).toBe(4);
  });

  it('extracts distinct email addresses in order', async () => {
    const text =
      'Write <Ada@Example.com> or grace.h+ops@mail.co.uk; again ada@example.com. Not: a@b, @x.io';
    expect(await call(tools, 'extract_emails', { text })).toEqual({
      emails: ['Ada@Example.com', 'grace.h+ops@mail.co.uk'],
      count: 2,
    });
  });
});
