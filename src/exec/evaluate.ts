import { ExpressionError } from '../errors/runtime-errors.ts';
import { evaluateValue } from '../expr/compiled-value.ts';
import type { Compiled, RunScope } from '../plan/kinds/kind.ts';
import { isMissing } from './run-context.ts';

/**
 * Evaluates a compiled value in a frame: the scope holds only the names the node reads,
 * looked up from the frame outwards, plus `extra` (cursor, page, result, ...).
 */
export function evaluateIn(
  c: Compiled,
  frame: RunScope,
  refs: readonly string[],
  extra?: Record<string, unknown>,
): unknown {
  if (c.kind === 'const') return c.value;
  if (c.kind === 'error') throw c.error;
  const scope: Record<string, unknown> = Object.create(null);
  for (let i = 0; i < refs.length; i++) {
    const name = refs[i]!;
    const v = frame.lookup(name);
    if (!isMissing(v)) scope[name] = v;
  }
  if (extra) for (const k of Object.keys(extra)) scope[k] = extra[k];
  return evaluateValue(c, scope);
}

export function evaluateBool(
  c: Compiled,
  frame: RunScope,
  refs: readonly string[],
  what: string,
  extra?: Record<string, unknown>,
): boolean {
  const v = evaluateIn(c, frame, refs, extra);
  if (typeof v !== 'boolean') {
    throw new ExpressionError(`${what} must be a boolean, got ${v === null ? 'null' : typeof v}`, {
      code: 'expression_type',
      retryable: false,
    });
  }
  return v;
}
