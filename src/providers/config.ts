import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import dotenv from 'dotenv';
import { ConfigError } from '../errors/runtime-errors.ts';
import type { LanguageModel } from '../model/language-model.ts';
import { ANTHROPIC_DEFAULT_MODEL, AnthropicModel } from './anthropic.ts';
import type { Fetch } from './fetch-guard.ts';
import { OPENAI_DEFAULT_MODEL, OpenAIModel } from './openai.ts';

export type ProviderName = 'openai' | 'anthropic';
export type Env = Record<string, string | undefined>;

export interface ProviderConfig {
  /** TOOLPLAN_PROVIDER, when set. */
  provider?: ProviderName;
  /** TOOLPLAN_MODEL, when set. */
  model?: string;
  openai: { apiKey?: string; baseURL?: string; organization?: string; project?: string };
  anthropic: { apiKey?: string; baseURL?: string };
  /** TOOLPLAN_MAX_RETRIES */
  maxRetries?: number;
  /** TOOLPLAN_TIMEOUT_MS, per attempt. */
  timeoutMs?: number;
}

export interface LoadConfigOptions {
  /** The `.env` file read when no `env` is given; default `./.env`. */
  dotenvPath?: string;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function positiveInt(env: Env, name: string): number | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigError('bad_env', `${name} must be a whole number ≥ 0, got "${raw}"`, {
      details: { variable: name },
    });
  }
  return value;
}

/**
 * Reads the provider settings. Given `env`, reads only that (tests, embedding); otherwise the
 * process environment over `.env` (the environment wins, as usual with dotenv).
 */
export function loadProviderConfig(env?: Env, options: LoadConfigOptions = {}): ProviderConfig {
  const source = env ?? readProcessEnv(options.dotenvPath);
  const provider = nonEmpty(source.TOOLPLAN_PROVIDER);
  if (provider !== undefined && provider !== 'openai' && provider !== 'anthropic') {
    throw new ConfigError(
      'bad_provider',
      `TOOLPLAN_PROVIDER must be "openai" or "anthropic", got "${provider}"`,
      { details: { variable: 'TOOLPLAN_PROVIDER' } },
    );
  }
  return {
    ...(provider ? { provider } : {}),
    ...optional('model', nonEmpty(source.TOOLPLAN_MODEL)),
    openai: {
      ...optional('apiKey', nonEmpty(source.OPENAI_API_KEY)),
      ...optional('baseURL', nonEmpty(source.OPENAI_BASE_URL)),
      ...optional('organization', nonEmpty(source.OPENAI_ORG_ID)),
      ...optional('project', nonEmpty(source.OPENAI_PROJECT_ID)),
    },
    anthropic: {
      ...optional('apiKey', nonEmpty(source.ANTHROPIC_API_KEY)),
      ...optional('baseURL', nonEmpty(source.ANTHROPIC_BASE_URL)),
    },
    ...optional('maxRetries', positiveInt(source, 'TOOLPLAN_MAX_RETRIES')),
    ...optional('timeoutMs', positiveInt(source, 'TOOLPLAN_TIMEOUT_MS')),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function readProcessEnv(dotenvPath = resolve(process.cwd(), '.env')): Env {
  const fromFile: Env = {};
  if (existsSync(dotenvPath))
    dotenv.config({
      path: dotenvPath,
      quiet: true,
      processEnv: fromFile as Record<string, string>,
    });
  return { ...fromFile, ...process.env };
}

export interface CreateModelOptions {
  provider?: ProviderName;
  model?: string;
  /** Custom fetch, e.g. a cassette's replay fetch; then no key is required. */
  fetch?: Fetch;
  /** Settings to use instead of the environment and `.env`. */
  env?: Env;
  maxRetries?: number;
  /** Per attempt, in milliseconds. */
  timeout?: number;
}

/** Which provider a config selects: explicit, else Anthropic's key, else OpenAI's key or URL. */
export function selectProvider(config: ProviderConfig, explicit?: ProviderName): ProviderName {
  const chosen = explicit ?? config.provider;
  if (chosen) return chosen;
  if (config.anthropic.apiKey) return 'anthropic';
  if (config.openai.apiKey || config.openai.baseURL) return 'openai';
  throw new ConfigError(
    'no_provider',
    'No LLM provider is configured. Set OPENAI_API_KEY (OpenAI) or ANTHROPIC_API_KEY (Anthropic), ' +
      'or OPENAI_BASE_URL for a local OpenAI-compatible server (Ollama, vLLM, llama.cpp), ' +
      'in the environment or in .env (see .env.example).',
    { details: { variables: ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENAI_BASE_URL'] } },
  );
}

/** A LanguageModel for the configured provider. */
export function createModel(options: CreateModelOptions = {}): LanguageModel {
  const config = loadProviderConfig(options.env);
  const provider = selectProvider(config, options.provider);
  const common = {
    ...optional('fetch', options.fetch),
    ...optional('maxRetries', options.maxRetries ?? config.maxRetries),
    ...optional('timeout', options.timeout ?? config.timeoutMs),
  };
  if (provider === 'anthropic') {
    const { apiKey, baseURL } = config.anthropic;
    if (!apiKey && !baseURL && !options.fetch) throw missingKey('ANTHROPIC_API_KEY', 'Anthropic');
    return new AnthropicModel({
      model: options.model ?? config.model ?? ANTHROPIC_DEFAULT_MODEL,
      ...optional('apiKey', apiKey),
      ...optional('baseURL', baseURL),
      ...common,
    });
  }
  const { apiKey, baseURL, organization, project } = config.openai;
  if (!apiKey && !baseURL && !options.fetch) throw missingKey('OPENAI_API_KEY', 'OpenAI');
  return new OpenAIModel({
    model: options.model ?? config.model ?? OPENAI_DEFAULT_MODEL,
    ...optional('apiKey', apiKey),
    ...optional('baseURL', baseURL),
    ...optional('organization', organization),
    ...optional('project', project),
    ...common,
  });
}

function missingKey(variable: string, label: string): ConfigError {
  return new ConfigError(
    'missing_key',
    `${label} was chosen but ${variable} is not set. Set ${variable} in the environment or .env` +
      (variable === 'OPENAI_API_KEY' ? ', or OPENAI_BASE_URL for a local server.' : '.'),
    { details: { variable } },
  );
}
