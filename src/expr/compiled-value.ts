import { ExpressionError } from '../errors/runtime-errors.ts';
import { type CompiledExpression, compileExpression } from './expression.ts';
import { type EvaluationLimits, expressionBudget } from './expression-budget.ts';
import { MAX_VALUE_DEPTH, valueNesting } from './nesting.ts';
import { type ExprSegment, parseTemplateString } from './template.ts';

/**
 * A JSON value with its `${ }` strings parsed once, so the executor's hot path only
 * evaluates. Objects and arrays are walked; a string with no `${` is a literal.
 */
export type CompiledValue =
  | { kind: 'const'; value: unknown }
  | { kind: 'expr'; expr: CompiledExpression }
  | { kind: 'template'; parts: Array<string | CompiledExpression> }
  | { kind: 'array'; items: CompiledValue[] }
  | { kind: 'object'; entries: Array<[string, CompiledValue]> };

/**
 * Compiles a plan value. A value nested deeper than MAX_VALUE_DEPTH is refused before the
 * recursive walk could overflow the stack.
 */
export function compileValue(value: unknown): CompiledValue {
  if (value !== null && typeof value === 'object') {
    const depth = valueNesting(value);
    if (depth > MAX_VALUE_DEPTH) {
      throw new ExpressionError(
        `a plan value nests more than ${MAX_VALUE_DEPTH} levels of arrays and objects; flatten it or have a tool build it`,
        { code: 'budget', retryable: false, details: { limit: 'depth', max: MAX_VALUE_DEPTH } },
      );
    }
  }
  return compileNested(value);
}

function compileNested(value: unknown): CompiledValue {
  if (typeof value === 'string') return compileString(value);
  if (Array.isArray(value)) {
    const items = value.map(compileNested);
    if (items.every((i) => i.kind === 'const')) return { kind: 'const', value: items.map(constOf) };
    return { kind: 'array', items };
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).map(
      (k) => [k, compileNested((value as Record<string, unknown>)[k])] as [string, CompiledValue],
    );
    if (entries.every(([, v]) => v.kind === 'const')) {
      return { kind: 'const', value: Object.fromEntries(entries.map(([k, v]) => [k, constOf(v)])) };
    }
    return { kind: 'object', entries };
  }
  return { kind: 'const', value: value === undefined ? null : value };
}

function constOf(v: CompiledValue): unknown {
  return (v as { value: unknown }).value;
}

function compileString(text: string): CompiledValue {
  const parsed = parseTemplateString(text);
  if (!parsed.ok) {
    throw new ExpressionError(parsed.error.message, {
      code: 'expression_syntax',
      details: { text: text.slice(0, 200), offset: parsed.error.offset },
    });
  }
  const v = parsed.value;
  if (v.kind === 'literal') return { kind: 'const', value: v.value };
  if (v.kind === 'expr') return { kind: 'expr', expr: compileExpression(v.expr.source) };
  return {
    kind: 'template',
    parts: v.parts.map((p) =>
      typeof p === 'string' ? p : compileExpression((p as ExprSegment).source),
    ),
  };
}

export function evaluateValue(
  value: CompiledValue,
  scope: Record<string, unknown>,
  limits?: EvaluationLimits,
): unknown {
  switch (value.kind) {
    case 'const':
      return value.value;
    case 'expr':
      return value.expr.run(scope, limits);
  }
  // The expressions of one value share one time budget: a node's args with a hundred
  // expressions must not take a hundred times as long.
  const deadline = Math.min(
    limits?.deadline ?? Number.POSITIVE_INFINITY,
    Date.now() + expressionBudget().timeMs,
  );
  return evaluateParts(value, scope, { ...limits, deadline });
}

function evaluateParts(
  value: CompiledValue,
  scope: Record<string, unknown>,
  limits: EvaluationLimits,
): unknown {
  switch (value.kind) {
    case 'const':
      return value.value;
    case 'expr':
      return value.expr.run(scope, limits);
    case 'template':
      return value.parts
        .map((p) => (typeof p === 'string' ? p : toText(p.run(scope, limits))))
        .join('');
    case 'array': {
      const items = value.items;
      const out = new Array(items.length);
      for (let i = 0; i < items.length; i++) out[i] = evaluateParts(items[i]!, scope, limits);
      return out;
    }
    case 'object': {
      // Built in place rather than through entry pairs: a call's args are made once a call.
      const out: Record<string, unknown> = {};
      const entries = value.entries;
      for (let i = 0; i < entries.length; i++) {
        const [k, v] = entries[i]!;
        setOwn(out, k, evaluateParts(v, scope, limits));
      }
      return out;
    }
  }
}

/** Sets an own data property: a key like "__proto__" stays plain data, not the prototype. */
function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else out[key] = value;
}

/** How a value is written inside a template: strings as they are, the rest as JSON. */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Root names a compiled value reads. */
export function refsOfValue(value: CompiledValue, into = new Set<string>()): Set<string> {
  switch (value.kind) {
    case 'const':
      break;
    case 'expr':
      for (const r of value.expr.refs) into.add(r);
      break;
    case 'template':
      for (const p of value.parts) if (typeof p !== 'string') for (const r of p.refs) into.add(r);
      break;
    case 'array':
      for (const i of value.items) refsOfValue(i, into);
      break;
    case 'object':
      for (const [, v] of value.entries) refsOfValue(v, into);
      break;
  }
  return into;
}
