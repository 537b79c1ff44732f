import {
  APIConnectionError as AnthropicConnectionError,
  APIConnectionTimeoutError as AnthropicConnectionTimeoutError,
  APIUserAbortError as AnthropicUserAbortError,
} from '@anthropic-ai/sdk';
import {
  APIConnectionError as OpenAIConnectionError,
  APIConnectionTimeoutError as OpenAIConnectionTimeoutError,
  APIUserAbortError as OpenAIUserAbortError,
} from 'openai';
import { CancelledError } from '../errors/runtime-errors.ts';
import { ToolplanError } from '../errors/toolplan-error.ts';
import { ProviderError, type ProviderErrorCode } from '../model/provider-error.ts';
import { takeStashedError } from './fetch-guard.ts';

export interface ErrorContext {
  provider: 'openai' | 'anthropic';
  modelId: string;
  baseURL: string;
  maxRetries: number;
  signal?: AbortSignal;
  /** Whether the failure came while reading a stream that had already begun. */
  phase: 'request' | 'stream';
  /** The API key: some servers echo it in error messages, which must never carry it. */
  secrets?: readonly string[];
}

/** Removes the key from an SDK error (message and body) in place, so its cause is clean too. */
function scrubError(error: unknown, secrets: readonly string[]): void {
  const scrub = (text: unknown) => {
    if (typeof text !== 'string') return text;
    let out = text;
    for (const s of secrets) if (s.length >= 8) out = out.split(s).join('[redacted]');
    return out;
  };
  const visit = (value: unknown, depth: number) => {
    if (!value || typeof value !== 'object' || depth > 4) return;
    const o = value as Record<string, unknown>;
    // Every string field: the SDKs copy the provider's message into several (apiMessage, ...).
    for (const key of [...Object.keys(o), 'message', 'stack', 'cause']) {
      try {
        if (typeof o[key] === 'string') o[key] = scrub(o[key]);
        else visit(o[key], depth + 1);
      } catch {
        // A read-only field: left as is.
      }
    }
  };
  if (secrets.some((s) => s.length >= 8)) visit(error, 0);
}

const LABEL = { openai: 'OpenAI', anthropic: 'Anthropic' } as const;
const KEY_VARIABLE = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY' } as const;
const URL_VARIABLE = { openai: 'OPENAI_BASE_URL', anthropic: 'ANTHROPIC_BASE_URL' } as const;

/** Anthropic's error `type`s (in error bodies and in-stream `error` events). */
const ANTHROPIC_TYPES: Record<string, ProviderErrorCode> = {
  authentication_error: 'auth',
  permission_error: 'auth',
  rate_limit_error: 'rate_limited',
  overloaded_error: 'overloaded',
  api_error: 'server_error',
  timeout_error: 'timeout',
  not_found_error: 'not_found',
  invalid_request_error: 'bad_request',
  request_too_large: 'bad_request',
};

interface SdkErrorShape {
  status?: number;
  message?: string;
  headers?: Headers;
  error?: { type?: string; message?: string; error?: { type?: string; message?: string } };
  requestID?: string | null;
}

function codeFor(
  status: number | undefined,
  type: string | undefined,
): ProviderErrorCode | undefined {
  // In-stream errors have no status of their own: only their type says what happened.
  if (status === undefined) return type === undefined ? undefined : ANTHROPIC_TYPES[type];
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status === 529) return 'overloaded';
  if (status >= 500) return 'server_error';
  return 'bad_request';
}

/** Turns whatever an SDK call threw into a ToolplanError whose message says what to do. */
export function toProviderError(error: unknown, ctx: ErrorContext): ToolplanError {
  if (ctx.signal?.aborted) {
    return new CancelledError(`${LABEL[ctx.provider]} call cancelled`, {
      cause: ctx.signal.reason,
    });
  }
  const stashed = takeStashedError(error);
  if (stashed) return stashed;
  if (error instanceof ToolplanError) return error;
  scrubError(error, ctx.secrets ?? []);

  const e = (error ?? {}) as SdkErrorShape;
  const label = LABEL[ctx.provider];
  if (error instanceof OpenAIUserAbortError || error instanceof AnthropicUserAbortError) {
    return new CancelledError(`${label} call cancelled`, { cause: error });
  }
  const details = {
    provider: ctx.provider,
    ...(e.status !== undefined ? { status: e.status } : {}),
    ...(e.requestID ? { requestId: e.requestID } : {}),
    // The SDKs retry failed requests but never a stream that failed once it had begun.
    ...(ctx.phase === 'stream' ? { inStream: true } : {}),
  };
  const make = (code: ProviderErrorCode, message: string, extra: Record<string, unknown> = {}) =>
    new ProviderError(code, message, { cause: error, details: { ...details, ...extra } });

  if (
    error instanceof OpenAIConnectionTimeoutError ||
    error instanceof AnthropicConnectionTimeoutError
  ) {
    return make(
      'timeout',
      `${label} did not answer in time (after ${ctx.maxRetries} retries); retry later or raise the timeout.`,
    );
  }
  const body = e.error;
  const code = codeFor(e.status, body?.error?.type ?? body?.type);
  const retried = `after ${ctx.maxRetries} ${ctx.maxRetries === 1 ? 'retry' : 'retries'}`;
  if (code !== undefined) {
    const apiMessage = body?.error?.message ?? body?.message ?? e.message ?? String(error);
    const status = e.status === undefined ? '' : ` (${e.status})`;
    const message = statusMessage(code, ctx, { status, retried, apiMessage });
    if (message !== undefined)
      return make(code, message, code === 'auth' ? { variable: KEY_VARIABLE[ctx.provider] } : {});
  }
  if (
    (error instanceof OpenAIConnectionError || error instanceof AnthropicConnectionError) &&
    ctx.phase === 'request'
  ) {
    return make(
      'connection',
      `could not reach ${label} at ${ctx.baseURL} ${retried}: ${causeText(error)}. Check ${URL_VARIABLE[ctx.provider]} and the network.`,
    );
  }
  return make(
    'stream_interrupted',
    `the ${label} response was cut off: ${causeText(error)}. Retry the call.`,
  );
}

/** What an HTTP error status (or the API's error type) means, and what to do about it. */
function statusMessage(
  code: ProviderErrorCode,
  ctx: ErrorContext,
  m: { status: string; retried: string; apiMessage: string },
): string | undefined {
  const label = LABEL[ctx.provider];
  const { status, retried, apiMessage } = m;
  switch (code) {
    case 'auth':
      return `${label} rejected the credentials${status}: ${apiMessage}. Set ${KEY_VARIABLE[ctx.provider]} to a valid key (in the environment or .env).`;
    case 'not_found':
      return `${label} at ${ctx.baseURL} does not know model "${ctx.modelId}"${status}: ${apiMessage}. Set TOOLPLAN_MODEL to a model it serves, or check ${URL_VARIABLE[ctx.provider]}.`;
    case 'rate_limited':
      return `${label} rate limit hit${status} ${retried}: ${apiMessage}. Wait and retry, lower the concurrency, or raise maxRetries.`;
    case 'overloaded':
      return `${label} is overloaded${status} ${retried}: ${apiMessage}. Retry later.`;
    case 'server_error':
      return `${label} server error${status} ${retried}: ${apiMessage}. Retry later.`;
    case 'timeout':
      return `${label} timed out${status}: ${apiMessage}. Retry later.`;
    case 'bad_request':
      return `${label} rejected the request${status}: ${apiMessage}. Check the model options and tool schemas.`;
    default:
      return undefined;
  }
}

function causeText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    parts.push(current.message);
    current = current.cause;
  }
  return parts.join(': ') || String(error);
}

/** Parses tool-call arguments; malformed JSON becomes a typed error carrying the raw text. */
export function parseToolArgs(
  raw: string,
  call: { id: string; name: string },
  provider: 'openai' | 'anthropic',
): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch (error) {
    return throwBadArgs(raw, call, provider, error);
  }
}

function throwBadArgs(
  raw: string,
  call: { id: string; name: string },
  provider: 'openai' | 'anthropic',
  cause: unknown,
): never {
  const shown = raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
  throw new ProviderError(
    'bad_tool_arguments',
    `the model sent malformed JSON arguments for tool "${call.name}" (call ${call.id}): ${shown}. Ask the model to resend the call with valid JSON.`,
    { cause, details: { provider, toolName: call.name, toolCallId: call.id, rawArguments: raw } },
  );
}
