import { ToolError } from '../../src/errors/runtime-errors.ts';

/**
 * A lookup that cannot succeed on retry (unknown id, bad cursor): a ToolError marked not
 * retryable, whose message tells the LLM what it may use instead.
 */
export function notFound(
  what: string,
  value: string,
  known: readonly string[],
  details: Record<string, unknown> = {},
): ToolError {
  const plural = what.endsWith('y') ? `${what.slice(0, -1)}ies` : `${what}s`;
  const list = known.length > 30 ? `${known.slice(0, 30).join(', ')}, ...` : known.join(', ');
  return new ToolError(`unknown ${what} ${JSON.stringify(value)}; known ${plural}: ${list}`, {
    code: `unknown_${what.replace(/\W+/g, '_')}`,
    retryable: false,
    details: { [what.replace(/\W+/g, '_')]: value, known: [...known], ...details },
  });
}

/** A request the tool understood but refuses (out of stock, declined, already released). */
export function refused(code: string, message: string, details: Record<string, unknown> = {}) {
  return new ToolError(message, { code, retryable: false, details });
}
