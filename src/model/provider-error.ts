import { type Blame, ToolplanError } from '../errors/toolplan-error.ts';

export type ProviderErrorCode =
  | 'auth'
  | 'rate_limited'
  | 'overloaded'
  | 'server_error'
  | 'stream_interrupted'
  | 'bad_tool_arguments'
  | 'bad_request'
  | 'not_found'
  | 'connection'
  | 'timeout';

const BLAME: Record<ProviderErrorCode, Blame> = {
  auth: 'config',
  rate_limited: 'config',
  overloaded: 'model',
  server_error: 'model',
  stream_interrupted: 'model',
  bad_tool_arguments: 'model',
  bad_request: 'config',
  not_found: 'config',
  connection: 'config',
  timeout: 'model',
};

/** Worth asking again (after a wait) with the same request. */
const RETRYABLE = new Set<ProviderErrorCode>([
  'rate_limited',
  'overloaded',
  'server_error',
  'stream_interrupted',
  'connection',
  'timeout',
]);

export interface ProviderErrorDetails extends Record<string, unknown> {
  provider?: string;
  status?: number;
  requestId?: string;
  /** The environment variable to fix, for `auth`. */
  variable?: string;
  /** For `bad_tool_arguments`: the tool call and the arguments text exactly as received. */
  toolName?: string;
  toolCallId?: string;
  rawArguments?: string;
}

/** An LLM provider call failed. `code` says how; the message says what to do about it. */
export class ProviderError extends ToolplanError {
  declare readonly code: ProviderErrorCode;
  declare readonly details: ProviderErrorDetails;

  constructor(
    code: ProviderErrorCode,
    message: string,
    extra: { cause?: unknown; details?: ProviderErrorDetails } = {},
  ) {
    super('ProviderError', message, {
      code,
      blame: BLAME[code],
      cause: extra.cause,
      details: extra.details,
      retryable: RETRYABLE.has(code),
    });
  }
}

export function isProviderError(value: unknown): value is ProviderError {
  return value instanceof ProviderError;
}
