import type { ModelRequest, ModelResponse, ModelStreamPart } from '../model/language-model.ts';
import { ProviderError } from '../model/provider-error.ts';
import { type ErrorContext, toProviderError } from './map-error.ts';
import { raceAbort, retryBeforeFirstPart, retryOnceAfterCut } from './stream-retry.ts';
import { createToolNameMap, type ToolNameMap } from './tool-names.ts';

/**
 * What the adapters do the same way around their SDK's call: errors mapped to
 * ProviderError with the key scrubbed, the retries the SDK does not do, and settling the
 * moment the caller aborts. What is sent and how replies are read stays in each adapter.
 */

/** Who is calling, for error messages (the key only to scrub it from what a server echoes). */
export interface AdapterIdentity {
  readonly provider: ErrorContext['provider'];
  readonly modelId: string;
  readonly baseURL: string;
  readonly maxRetries: number;
  readonly apiKey: string | undefined;
}

/** Sent when a base URL is set but no key: local servers ignore it, the SDKs demand one. */
export const LOCAL_PLACEHOLDER_KEY = 'toolplan-no-key';

/** The SDKs' own retries of a failed request, unless configured. */
export const DEFAULT_MAX_RETRIES = 2;

export function adapterIdentity(
  model: Pick<AdapterIdentity, 'provider' | 'modelId' | 'baseURL'>,
  options: { maxRetries?: number; apiKey?: string },
): AdapterIdentity {
  return {
    provider: model.provider,
    modelId: model.modelId,
    baseURL: model.baseURL,
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    apiKey: options.apiKey,
  };
}

export function errorContext(
  id: AdapterIdentity,
  signal: AbortSignal | undefined,
  phase: ErrorContext['phase'],
): ErrorContext {
  return {
    provider: id.provider,
    modelId: id.modelId,
    baseURL: id.baseURL,
    maxRetries: id.maxRetries,
    signal,
    phase,
    secrets: id.apiKey ? [id.apiKey] : [],
  };
}

/** The request's tool names, mapped to names the provider accepts and back. */
export function toolNamesOf(request: ModelRequest): ToolNameMap {
  return createToolNameMap((request.tools ?? []).map((tool) => tool.name));
}

/** One non-streaming request; `create` runs again once if the reply was cut off. */
export function generateWith<T>(
  id: AdapterIdentity,
  signal: AbortSignal | undefined,
  create: () => Promise<T>,
  toResponse: (reply: T) => ModelResponse,
): Promise<ModelResponse> {
  const run = retryOnceAfterCut(async () => {
    let reply: T;
    try {
      reply = await create();
    } catch (error) {
      throw toProviderError(error, errorContext(id, signal, 'request'));
    }
    return toResponse(reply);
  }, signal);
  return raceAbort(run, signal, () =>
    toProviderError(signal?.reason, errorContext(id, signal, 'request')),
  );
}

/** Reads one SDK stream's events into model stream parts. */
export interface StreamFolder<E> {
  fold(event: E): Iterable<ModelStreamPart>;
  /** After the last event: the closing parts, or a throw if the stream was cut short. */
  end(context: ErrorContext): Iterable<ModelStreamPart>;
}

/** A streaming request, opened again from scratch if it fails before yielding anything. */
export function streamWith<E>(
  id: AdapterIdentity,
  signal: AbortSignal | undefined,
  open: () => Promise<AsyncIterable<E>>,
  folder: () => StreamFolder<E>,
): AsyncIterable<ModelStreamPart> {
  return retryBeforeFirstPart(() => streamOnce(id, signal, open, folder()), signal);
}

async function* streamOnce<E>(
  id: AdapterIdentity,
  signal: AbortSignal | undefined,
  open: () => Promise<AsyncIterable<E>>,
  folder: StreamFolder<E>,
): AsyncIterable<ModelStreamPart> {
  let stream: AsyncIterable<E>;
  try {
    stream = await raceAbort(open(), signal, () => new Error('aborted'));
  } catch (error) {
    throw toProviderError(error, errorContext(id, signal, 'request'));
  }
  try {
    for await (const event of stream) yield* folder.fold(event);
  } catch (error) {
    if (error instanceof ProviderError && error.code === 'bad_tool_arguments') throw error;
    throw toProviderError(error, errorContext(id, signal, 'stream'));
  }
  // An SDK may end an aborted stream quietly; the caller must still learn it was cancelled.
  if (signal?.aborted) throw toProviderError(signal.reason, errorContext(id, signal, 'stream'));
  yield* folder.end(errorContext(id, signal, 'stream'));
}
