import { describe, expect, it } from 'vitest';
import type { ModelRequest, ModelResponse } from '../../src/model/language-model.ts';
import { isProviderError } from '../../src/model/provider-error.ts';
import { collectStream } from '../../src/model/stream-parts.ts';
import { AnthropicModel } from '../../src/providers/anthropic.ts';
import { OpenAIModel } from '../../src/providers/openai.ts';
import { useWireServer } from '../support/wire-server.ts';
import {
  type CorpusEntry,
  type Delivery,
  loadCorpus,
  toolNamesIn,
  wireAnswer,
} from './support/corpus.ts';

/**
 * Every recording of the corpus served over real HTTP on 127.0.0.1, as the server sent it,
 * to the real SDK behind each adapter: the adapter must yield exactly what the recording
 * means (manifest.json, derived by a reference reading that shares no code with src/).
 */

const corpus = loadCorpus();

function modelFor(entry: CorpusEntry, origin: string) {
  const options = { apiKey: 'sk-corpus-test-key-0000', maxRetries: 0 };
  return entry.api === 'anthropic'
    ? new AnthropicModel({ ...options, baseURL: origin })
    : new OpenAIModel({ ...options, baseURL: `${origin}/v1`, model: 'corpus' });
}

function requestFor(entry: CorpusEntry): ModelRequest {
  return {
    messages: [{ role: 'user', content: 'What is the weather?' }],
    tools: toolNamesIn(entry).map((name) => ({
      name,
      description: name,
      inputSchema: { type: 'object', properties: {} },
    })),
  };
}

async function answer(entry: CorpusEntry, delivery: Delivery): Promise<ModelResponse> {
  const server = await useWireServer();
  server.enqueue(wireAnswer(entry, delivery) as never);
  const model = modelFor(entry, server.origin);
  const request = requestFor(entry);
  return entry.form === 'json' ? model.generate(request) : collectStream(model.stream(request));
}

function deliveries(entry: CorpusEntry): Delivery[] {
  if (entry.form === 'json') return ['events'];
  return entry.api === 'openai' ? ['events', 'no-done', 'bytes'] : ['events', 'bytes'];
}

const cases = corpus.flatMap((entry) =>
  deliveries(entry).map((delivery) => ({ entry, delivery, label: `${entry.file} (${delivery})` })),
);

describe('provider conformance corpus', () => {
  it('holds recordings from many servers, each with a source and a licence', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(90);
    const servers = new Set(corpus.map((e) => e.server));
    expect(servers.size).toBeGreaterThanOrEqual(12);
    for (const entry of corpus) {
      expect(entry.source).not.toBe('');
      expect(entry.license).not.toBe('');
    }
  });

  for (const { entry, delivery, label } of cases)
    it(label, async () => {
      const expected = entry.expect;
      if ('error' in expected) {
        const error = await answer(entry, delivery).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isProviderError(error), String(error)).toBe(true);
        if (!isProviderError(error)) return;
        expect(error.code).toBe(expected.error);
        if (expected.truncated) expect(error.details.truncated).toBe(true);
        return;
      }
      const got = await answer(entry, delivery);
      expect(got.text).toBe(expected.text);
      expect(got.reasoning ?? '').toBe(expected.reasoning);
      expect(got.toolCalls).toEqual(expected.toolCalls);
      expect(got.finishReason).toBe(expected.finishReason);
      if (expected.usage === 'estimated') {
        expect(got.usage.estimated).toBe(true);
        expect(got.usage.inputTokens).toBeGreaterThan(0);
      } else {
        expect(got.usage).toEqual(expected.usage);
      }
    });
});
