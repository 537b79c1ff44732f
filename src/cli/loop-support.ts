import { ConfigError } from '../errors/runtime-errors.ts';
import type { LoopEvent } from '../loop/events.ts';
import type { LanguageModel } from '../model/language-model.ts';
import { createModel, type ProviderName } from '../providers/config.ts';
import { readCassette } from '../record/cassette.ts';
import { createRecordingFetch, type RecordingFetch } from '../record/recording-fetch.ts';
import { createReplayFetch } from '../record/replay-fetch.ts';

/** Options `run` and `chat` share: which LLM, and where its answers come from. */
export interface ModelCliOptions {
  provider?: string;
  model?: string;
  cassette?: string;
  record?: boolean;
}

export interface CliModel {
  model: LanguageModel;
  /** Writes the cassette out (record mode). */
  finish(): Promise<void>;
}

function providerOption(value: string | undefined): ProviderName | undefined {
  if (value === undefined) return undefined;
  if (value !== 'openai' && value !== 'anthropic') {
    throw new ConfigError(
      'bad_provider',
      `--provider must be "openai" or "anthropic", got "${value}"`,
    );
  }
  return value;
}

/**
 * `--cassette F` alone replays F (no network, no key); with `--record` it records to F through
 * the configured provider; neither: the configured provider. Replay takes the provider and the
 * model from the cassette unless they are given, so requests match what was recorded.
 */
export function modelFromOptions(options: ModelCliOptions): CliModel {
  const provider = providerOption(options.provider);
  if (options.record && !options.cassette) {
    throw new ConfigError('bad_option', '--record needs --cassette FILE to record into');
  }
  if (options.cassette && !options.record) {
    const cassette = readCassette(options.cassette);
    const first = cassette.interactions[0]?.request;
    const recordedFrom = first && (first.path.includes('/messages') ? 'anthropic' : 'openai');
    if (provider && recordedFrom && provider !== recordedFrom) {
      throw new ConfigError(
        'cassette_provider_mismatch',
        `the cassette ${options.cassette} was recorded from ${recordedFrom} (${first.method} ${first.path}), not ${provider}: use --provider ${recordedFrom}, or leave --provider out to take it from the cassette`,
        { details: { cassette: options.cassette, recordedFrom, provider } },
      );
    }
    const recordedModel = (first?.body as { model?: unknown } | undefined)?.model;
    const fetch = createReplayFetch({ cassette });
    const model = createModel({
      provider: provider ?? recordedFrom ?? 'openai',
      ...((options.model ?? (typeof recordedModel === 'string' ? recordedModel : undefined))
        ? { model: options.model ?? (recordedModel as string) }
        : {}),
      fetch,
      maxRetries: 0,
      env: {},
    });
    return { model, finish: async () => {} };
  }
  // Fails here, with the variables to set, when no provider is configured.
  const plain = createModel({
    ...(provider ? { provider } : {}),
    ...(options.model ? { model: options.model } : {}),
  });
  if (!options.cassette) return { model: plain, finish: async () => {} };
  const recorder: RecordingFetch = createRecordingFetch({
    cassettePath: options.cassette,
    note: 'recorded by toolplan run --record',
  });
  const model = createModel({
    provider: provider ?? (plain.provider as ProviderName),
    model: plain.modelId,
    fetch: recorder,
  });
  return { model, finish: () => recorder.flush() };
}

/** One short line a notable event, for stderr. */
export function progressLine(event: LoopEvent): string | undefined {
  const t = `[${(event.at / 1000).toFixed(2)}s]`;
  switch (event.type) {
    case 'llm.started':
      return `${t} asking the LLM (${event.purpose})`;
    case 'llm.finished':
      return `${t} LLM replied: ${event.outputTokens} output tokens in ${Math.round(event.ms)} ms`;
    case 'plan.validated':
      return event.valid
        ? `${t} plan is valid`
        : `${t} plan is invalid: ${event.issues.filter((i) => i.severity === 'error').length} issue(s), asking for a repair`;
    case 'tool.started':
      return `${t} → ${event.tool} ${JSON.stringify(event.args).slice(0, 120)}`;
    case 'tool.finished':
      return `${t} ${event.ok ? '✓' : '✗'} ${event.tool} (${Math.round(event.ms)} ms)`;
    case 'task.failed':
      return `${t} failed: ${event.error.message}`;
    case 'task.suspended':
      return `${t} suspended: waiting for approval of ${event.pending.length} call(s)`;
    default:
      return undefined;
  }
}
