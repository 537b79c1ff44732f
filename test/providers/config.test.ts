import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/runtime-errors.ts';
import { AnthropicModel } from '../../src/providers/anthropic.ts';
import { createModel, loadProviderConfig, selectProvider } from '../../src/providers/config.ts';
import { OpenAIModel } from '../../src/providers/openai.ts';
import { openaiChatCompletion } from '../../src/record/wire-formats.ts';
import { useWireServer } from '../support/wire-server.ts';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('provider selection', () => {
  it('prefers an explicit provider, then Anthropic key, then OpenAI key or base URL', () => {
    const both = loadProviderConfig({ OPENAI_API_KEY: 'sk-o', ANTHROPIC_API_KEY: 'sk-a' });
    expect(selectProvider(both)).toBe('anthropic');
    expect(selectProvider(both, 'openai')).toBe('openai');
    expect(
      selectProvider(
        loadProviderConfig({ ...{ OPENAI_API_KEY: 'sk-o' }, TOOLPLAN_PROVIDER: 'anthropic' }),
      ),
    ).toBe('anthropic');
    expect(selectProvider(loadProviderConfig({ OPENAI_API_KEY: 'sk-o' }))).toBe('openai');
    expect(
      selectProvider(loadProviderConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' })),
    ).toBe('openai');
  });

  it('with nothing configured, names every variable that would fix it', () => {
    const error = thrown(() => createModel({ env: {} }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'no_provider', blame: 'config' });
    for (const variable of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENAI_BASE_URL']) {
      expect((error as Error).message).toContain(variable);
    }
  });

  it('names the missing key when a provider is chosen without one', () => {
    const error = thrown(() => createModel({ env: { TOOLPLAN_PROVIDER: 'anthropic' } }));
    expect(error).toMatchObject({
      code: 'missing_key',
      details: { variable: 'ANTHROPIC_API_KEY' },
    });
  });

  it('rejects an unknown TOOLPLAN_PROVIDER', () => {
    expect(thrown(() => loadProviderConfig({ TOOLPLAN_PROVIDER: 'gemini' }))).toMatchObject({
      code: 'bad_provider',
    });
  });

  it('applies default and overridden models', () => {
    const openai = createModel({ env: { OPENAI_API_KEY: 'sk-o' } });
    expect(openai).toBeInstanceOf(OpenAIModel);
    expect(openai.modelId).toBe('gpt-4.1-mini');
    const anthropic = createModel({ env: { ANTHROPIC_API_KEY: 'sk-a' } });
    expect(anthropic).toBeInstanceOf(AnthropicModel);
    expect(anthropic.modelId).toBe('claude-sonnet-4-6');
    expect(
      createModel({ env: { ANTHROPIC_API_KEY: 'sk-a', TOOLPLAN_MODEL: 'claude-haiku-4-5' } })
        .modelId,
    ).toBe('claude-haiku-4-5');
    expect(createModel({ env: { OPENAI_API_KEY: 'sk-o' }, model: 'gpt-5' }).modelId).toBe('gpt-5');
  });

  it('needs no key when a custom fetch (a replay) is given', () => {
    expect(createModel({ env: {}, provider: 'openai', fetch: globalThis.fetch }).provider).toBe(
      'openai',
    );
  });

  it('reads .env, with the process environment taking precedence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'toolplan-env-'));
    const path = join(dir, '.env');
    writeFileSync(path, 'TOOLPLAN_MODEL=from-dotenv\nTOOLPLAN_MAX_RETRIES=5\n');
    const before = process.env.TOOLPLAN_MAX_RETRIES;
    process.env.TOOLPLAN_MAX_RETRIES = '1';
    try {
      const config = loadProviderConfig(undefined, { dotenvPath: path });
      expect(config.model).toBe('from-dotenv');
      expect(config.maxRetries).toBe(1);
      expect(process.env.TOOLPLAN_MODEL).toBeUndefined();
    } finally {
      if (before === undefined) delete process.env.TOOLPLAN_MAX_RETRIES;
      else process.env.TOOLPLAN_MAX_RETRIES = before;
    }
  });

  it('talks to a local OpenAI-compatible server given only OPENAI_BASE_URL', async () => {
    const server = await useWireServer();
    server.enqueue({ json: openaiChatCompletion({ text: 'from ollama' }) });
    const model = createModel({
      env: { OPENAI_BASE_URL: `${server.origin}/v1`, TOOLPLAN_MODEL: 'qwen3' },
    });
    const response = await model.generate({ messages: [{ role: 'user', content: 'hi' }] });
    expect(response.text).toBe('from ollama');
    expect(server.requests[0]?.body).toMatchObject({ model: 'qwen3' });
  });
});
