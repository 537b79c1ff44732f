import { z } from 'zod';
import type { Tool } from '../../src/tool/tool.ts';
import { bundledTool } from '../support/define.ts';
import { countWords, findEmails, splitSentences } from './text-ops.ts';

const MAX_TEXT = 200_000;
const TextArg = z.string().max(MAX_TEXT).describe('The text');

/** Deterministic text utilities: no model, no network. */
export function createText(): { tools: Tool[] } {
  return {
    tools: [
      bundledTool({
        name: 'word_count',
        description: 'Count the words, characters, sentences and lines of a text.',
        inputSchema: z.object({ text: TextArg }),
        outputSchema: z.object({
          words: z.number().int().describe('Number of words'),
          characters: z.number().int().describe('Number of characters (Unicode code points)'),
          sentences: z.number().int().describe('Number of sentences'),
          lines: z.number().int().describe('Number of lines (0 for empty text)'),
        }),
        execute: ({ text }) => ({
          words: countWords(text),
          characters: [...text].length,
          sentences: splitSentences(text).length,
          lines: text === '' ? 0 : text.split(/\r\n|\r|\n/).length,
        }),
      }),
      bundledTool({
        name: 'uppercase',
        description: 'Return the text in upper case.',
        inputSchema: z.object({ text: TextArg }),
        outputSchema: z.object({ text: z.string().describe('The text in upper case') }),
        execute: ({ text }) => ({ text: text.toUpperCase() }),
      }),
      bundledTool({
        name: 'summarize',
        description:
          'Extractive summary: the first N sentences of the text, unchanged (no model involved).',
        inputSchema: z.object({
          text: TextArg,
          sentences: z
            .number()
            .int()
            .min(1)
            .max(50)
            .default(2)
            .describe('How many sentences to keep'),
        }),
        outputSchema: z.object({
          summary: z.string().describe('The first sentences, joined by spaces'),
          sentences: z.number().int().describe('Sentences kept'),
          total_sentences: z.number().int().describe('Sentences in the whole text'),
        }),
        execute: ({ text, sentences }) => {
          const all = splitSentences(text);
          const kept = all.slice(0, sentences);
          return { summary: kept.join(' '), sentences: kept.length, total_sentences: all.length };
        },
      }),
      bundledTool({
        name: 'extract_emails',
        description:
          'Find the email addresses in a text, in order of first appearance, without duplicates.',
        inputSchema: z.object({ text: TextArg }),
        outputSchema: z.object({
          emails: z.array(z.string()).describe('Distinct addresses found'),
          count: z.number().int().describe('How many'),
        }),
        execute: ({ text }) => {
          const emails = findEmails(text);
          return { emails, count: emails.length };
        },
      }),
    ],
  };
}
