import { type Blame, ToolplanError } from './toolplan-error.ts';

/** The error names a plan can name in `retry.on` and see in `catch` (plan format, "Errors"). */
export const RUNTIME_ERROR_NAMES = [
  'ToolError',
  'Timeout',
  'InvalidArgs',
  'InvalidOutput',
  'Cancelled',
  'BudgetExceeded',
  'ExpressionError',
  'ApprovalDenied',
  'ToleranceExceeded',
  'AllFailed',
  'CompensationFailed',
] as const;
export type RuntimeErrorName = (typeof RUNTIME_ERROR_NAMES)[number];

interface Extra {
  cause?: unknown;
  details?: Record<string, unknown>;
  retryable?: boolean;
  code?: string;
}

function make(name: RuntimeErrorName, blame: Blame, defaultCode: string) {
  return class extends ToolplanError {
    constructor(message: string, extra: Extra = {}) {
      super(name, message, {
        code: extra.code ?? defaultCode,
        blame,
        cause: extra.cause,
        details: extra.details,
        retryable: extra.retryable,
      });
    }
  };
}

export class ToolError extends make('ToolError', 'tool', 'tool_failed') {}
export class TimeoutError extends make('Timeout', 'tool', 'timeout') {}
export class InvalidArgsError extends make('InvalidArgs', 'model', 'invalid_args') {}
export class InvalidOutputError extends make('InvalidOutput', 'tool', 'invalid_output') {}
export class CancelledError extends make('Cancelled', 'config', 'cancelled') {}
export class BudgetExceededError extends make('BudgetExceeded', 'model', 'budget_exceeded') {}
export class ExpressionError extends make('ExpressionError', 'model', 'expression_failed') {}
export class ApprovalDeniedError extends make('ApprovalDenied', 'config', 'approval_denied') {}
export class ToleranceExceededError extends make(
  'ToleranceExceeded',
  'tool',
  'tolerance_exceeded',
) {}
export class AllFailedError extends make('AllFailed', 'tool', 'all_failed') {}
export class CompensationFailedError extends make(
  'CompensationFailed',
  'tool',
  'compensation_failed',
) {}

/** Raised by a `fail` node: the plan chooses the name. */
export class PlanFailure extends ToolplanError {
  constructor(name: string, message: string) {
    super(name, message, { code: 'plan_fail', blame: 'model', retryable: false });
  }
}

/** A tool throws this (or any error with `retryable: false`) to stop retries at once. */
export class FatalToolError extends ToolplanError {
  constructor(message: string, options: { cause?: unknown; name?: string } = {}) {
    super(options.name ?? 'ToolError', message, {
      code: 'tool_fatal',
      blame: 'tool',
      cause: options.cause,
      retryable: false,
    });
  }
}

/** Configuration mistakes: bad tool definitions, bad options, missing keys. */
export class ConfigError extends ToolplanError {
  constructor(code: string, message: string, extra: Omit<Extra, 'code' | 'retryable'> = {}) {
    super('ConfigError', message, { code, blame: 'config', ...extra, retryable: false });
  }
}

/** A bug in toolplan itself, such as an illegal state transition. */
export class InternalError extends ToolplanError {
  constructor(code: string, message: string, extra: Omit<Extra, 'code' | 'retryable'> = {}) {
    super('InternalError', message, { code, blame: 'internal', ...extra, retryable: false });
  }
}

/**
 * Turns anything a tool threw (strings, numbers, null, plain objects) into a ToolplanError,
 * so the rest of the runtime only ever sees one shape.
 */
export function toToolplanError(value: unknown): ToolplanError {
  if (value instanceof ToolplanError) return value;
  if (value instanceof Error) {
    const retryable = (value as { retryable?: unknown }).retryable !== false;
    const err = new ToolError(value.message || value.name, { cause: value, retryable });
    // Keep a tool's own error name (e.g. RateLimited) so `retry.on` and `catch` can match it.
    if (value.name && value.name !== 'Error') err.name = value.name;
    return err;
  }
  return new ToolError(`tool threw a non-Error value: ${describeThrown(value).slice(0, 500)}`, {
    details: { thrown: typeof value },
  });
}

/** Text for any thrown value, even one whose JSON and toString both throw. */
function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'symbol') return String(value);
  try {
    const json = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
    if (json !== undefined) return json;
  } catch {
    // Cycles and throwing getters: fall through to String.
  }
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
