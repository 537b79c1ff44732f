import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WireResponse } from '../../support/wire-server.ts';

/** The provider conformance corpus (test/providers/corpus): recordings and what they mean. */

export const CORPUS_DIR = fileURLToPath(new URL('../corpus/', import.meta.url));

export interface ExpectedCall {
  id: string;
  name: string;
  args: unknown;
}

export interface ExpectedMeaning {
  text: string;
  reasoning: string;
  toolCalls: ExpectedCall[];
  usage: { inputTokens: number; outputTokens: number } | 'estimated';
  finishReason: string;
}

export interface CorpusEntry {
  /** Relative to the corpus folder. */
  file: string;
  server: string;
  api: 'openai' | 'anthropic';
  /** `stream`: one event's JSON a line; `sse`: the SSE body byte for byte; `json`: a body. */
  form: 'stream' | 'sse' | 'json';
  status?: number;
  origin: 'recorded' | 'documentation' | 'constructed';
  source: string;
  license: string;
  expect: ExpectedMeaning | { error: string; truncated?: boolean };
}

export function loadCorpus(): CorpusEntry[] {
  const manifest = JSON.parse(readFileSync(`${CORPUS_DIR}manifest.json`, 'utf8')) as {
    entries: CorpusEntry[];
  };
  return manifest.entries;
}

export function recordingText(entry: CorpusEntry): string {
  return readFileSync(`${CORPUS_DIR}${entry.file}`, 'utf8');
}

/** How a stream is put on the wire: the recorded events, or the same bytes cut differently. */
export type Delivery = 'events' | 'no-done' | 'bytes';

/** Each recorded event as the server wrote it (Anthropic names the event after its `type`). */
export function sseEvents(entry: CorpusEntry, done: boolean): string[] {
  if (entry.form === 'sse') {
    const events = recordingText(entry)
      .split(/(?<=\n\n)/)
      .filter((event) => event.trim() !== '');
    return done ? events : events.filter((event) => event.trim() !== 'data: [DONE]');
  }
  const lines = recordingText(entry)
    .split('\n')
    .filter((line) => line.trim() !== '');
  if (entry.api === 'anthropic') {
    return lines.map((line) => {
      const type = (JSON.parse(line) as { type: string }).type;
      return `event: ${type}\ndata: ${line}\n\n`;
    });
  }
  const events = lines.map((line) => `data: ${line}\n\n`);
  return done ? [...events, 'data: [DONE]\n\n'] : events;
}

/**
 * The whole body in 7-byte writes: multi-byte UTF-8 characters (ü, 東, emoji) and JSON
 * escapes end up split between network reads, as they can on a real connection.
 */
export function byteSplitResponse(events: string[], size = 7): Response {
  const bytes = new TextEncoder().encode(events.join(''));
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8' },
  });
}

export function wireAnswer(entry: CorpusEntry, delivery: Delivery): WireResponse | Response {
  if (entry.form === 'json') {
    return {
      status: entry.status ?? 200,
      // Never retried: each recording is served exactly once.
      headers: { 'x-should-retry': 'false' },
      json: JSON.parse(recordingText(entry)),
    };
  }
  const events = sseEvents(entry, delivery !== 'no-done');
  return delivery === 'bytes' ? byteSplitResponse(events) : { stream: events };
}

/** The tool names a recording calls, so the request declares them (names map one to one). */
export function toolNamesIn(entry: CorpusEntry): string[] {
  const names = new Set<string>(['get_weather', 'submit_plan']);
  if ('toolCalls' in entry.expect) for (const call of entry.expect.toolCalls) names.add(call.name);
  return [...names];
}
