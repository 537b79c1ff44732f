import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AllFailedError,
  ApprovalDeniedError,
  BudgetExceededError,
  CancelledError,
  CompensationFailedError,
  ConfigError,
  ExpressionError,
  FatalToolError,
  InternalError,
  InvalidArgsError,
  InvalidOutputError,
  PlanFailure,
  RUNTIME_ERROR_NAMES,
  TimeoutError,
  ToleranceExceededError,
  ToolError,
  toToolplanError,
} from '../../src/errors/runtime-errors.ts';
import { ToolplanError } from '../../src/errors/toolplan-error.ts';

const table = [
  [ToolError, 'ToolError', 'tool', 'tool_failed'],
  [TimeoutError, 'Timeout', 'tool', 'timeout'],
  [InvalidArgsError, 'InvalidArgs', 'model', 'invalid_args'],
  [InvalidOutputError, 'InvalidOutput', 'tool', 'invalid_output'],
  [CancelledError, 'Cancelled', 'config', 'cancelled'],
  [BudgetExceededError, 'BudgetExceeded', 'model', 'budget_exceeded'],
  [ExpressionError, 'ExpressionError', 'model', 'expression_failed'],
  [ApprovalDeniedError, 'ApprovalDenied', 'config', 'approval_denied'],
  [ToleranceExceededError, 'ToleranceExceeded', 'tool', 'tolerance_exceeded'],
  [AllFailedError, 'AllFailed', 'tool', 'all_failed'],
  [CompensationFailedError, 'CompensationFailed', 'tool', 'compensation_failed'],
] as const;

describe('runtime error classes', () => {
  it.each(table)(
    '%o has the plan-visible name, blame and default code',
    (Cls, name, blame, code) => {
      const err = new Cls('boom');
      expect(err).toBeInstanceOf(ToolplanError);
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe(name);
      expect(err.blame).toBe(blame);
      expect(err.code).toBe(code);
      expect(err.message).toBe('boom');
      expect(err.retryable).toBe(true);
    },
  );

  it('every name in RUNTIME_ERROR_NAMES has a class, and the list matches the plan format', () => {
    expect([...RUNTIME_ERROR_NAMES].sort()).toEqual(table.map((row) => row[1]).sort());
    expect(RUNTIME_ERROR_NAMES).toEqual([
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
    ]);
  });

  it('extra options override code, set cause, details and retryable', () => {
    const cause = new Error('inner');
    const err = new ExpressionError('bad', {
      code: 'expression_syntax',
      cause,
      details: { expression: 'x +' },
      retryable: false,
    });
    expect(err.code).toBe('expression_syntax');
    expect(err.cause).toBe(cause);
    expect(err.details).toEqual({ expression: 'x +' });
    expect(err.retryable).toBe(false);
    expect(err.toJSON()).toEqual({
      name: 'ExpressionError',
      code: 'expression_syntax',
      blame: 'model',
      message: 'bad',
      details: { expression: 'x +' },
    });
  });

  it('classes are distinct: instanceof does not cross between kinds', () => {
    expect(new TimeoutError('t')).not.toBeInstanceOf(ToolError);
    expect(new ToolError('t')).not.toBeInstanceOf(TimeoutError);
    expect(new InvalidArgsError('t')).not.toBeInstanceOf(InvalidOutputError);
  });

  it('PlanFailure takes its name from the plan and is never retryable', () => {
    const err = new PlanFailure('OutOfStock', 'no stock for A1');
    expect(err.name).toBe('OutOfStock');
    expect(err.message).toBe('no stock for A1');
    expect(err.code).toBe('plan_fail');
    expect(err.blame).toBe('model');
    expect(err.retryable).toBe(false);
  });

  it('FatalToolError is a ToolError by name but not retryable', () => {
    const cause = new Error('card declined');
    const err = new FatalToolError('declined', { cause });
    expect(err.name).toBe('ToolError');
    expect(err.code).toBe('tool_fatal');
    expect(err.blame).toBe('tool');
    expect(err.retryable).toBe(false);
    expect(err.cause).toBe(cause);
    expect(new FatalToolError('x', { name: 'CardDeclined' }).name).toBe('CardDeclined');
    expect(toToolplanError(err)).toBe(err);
    expect(toToolplanError(err).retryable).toBe(false);
  });

  it('ConfigError and InternalError are never retryable, even when asked', () => {
    const c = new ConfigError('bad_option', 'nope', {
      details: { option: 'x' },
      retryable: true,
    } as never);
    expect(c.name).toBe('ConfigError');
    expect(c.code).toBe('bad_option');
    expect(c.blame).toBe('config');
    expect(c.retryable).toBe(false);
    expect(c.details).toEqual({ option: 'x' });
    const i = new InternalError('illegal_transition', 'pending -> compensated', {
      cause: 'x',
    });
    expect(i.name).toBe('InternalError');
    expect(i.blame).toBe('internal');
    expect(i.retryable).toBe(false);
    expect(i.cause).toBe('x');
  });
});

describe('toToolplanError', () => {
  it('returns ToolplanErrors unchanged', () => {
    const err = new TimeoutError('slow');
    expect(toToolplanError(err)).toBe(err);
  });

  it('wraps a plain Error as a retryable ToolError keeping the cause', () => {
    const e = new Error('connection reset');
    const err = toToolplanError(e);
    expect(err).toBeInstanceOf(ToolError);
    expect(err.name).toBe('ToolError');
    expect(err.message).toBe('connection reset');
    expect(err.cause).toBe(e);
    expect(err.retryable).toBe(true);
  });

  it('keeps a custom error name so retry.on and catch can match it', () => {
    class RateLimited extends Error {
      override name = 'RateLimited';
    }
    const err = toToolplanError(new RateLimited('429'));
    expect(err.name).toBe('RateLimited');
    expect(err.message).toBe('429');
    expect(err.code).toBe('tool_failed');
    const t = toToolplanError(new TypeError('x is not a function'));
    expect(t.name).toBe('TypeError');
  });

  it('respects retryable:false on a foreign error, and only false', () => {
    const fatal = Object.assign(new Error('gone'), { retryable: false });
    expect(toToolplanError(fatal).retryable).toBe(false);
    const notBool = Object.assign(new Error('gone'), { retryable: 0 });
    expect(toToolplanError(notBool).retryable).toBe(true);
    const yes = Object.assign(new Error('gone'), { retryable: true });
    expect(toToolplanError(yes).retryable).toBe(true);
  });

  it('uses the name when an Error has an empty message', () => {
    const e = new Error('');
    e.name = 'EmptyThing';
    expect(toToolplanError(e).message).toBe('EmptyThing');
  });

  it('turns strings, null, undefined, numbers and objects into ToolErrors with readable text', () => {
    const s = toToolplanError('out of cheese');
    expect(s).toBeInstanceOf(ToolError);
    expect(s.message).toBe('tool threw a non-Error value: out of cheese');
    expect(s.details).toEqual({ thrown: 'string' });

    expect(toToolplanError(null).message).toBe('tool threw a non-Error value: null');
    expect(toToolplanError(null).details).toEqual({ thrown: 'object' });
    expect(toToolplanError(undefined).message).toBe('tool threw a non-Error value: undefined');
    expect(toToolplanError(42).message).toBe('tool threw a non-Error value: 42');
    expect(toToolplanError({ code: 'E1', status: 500 }).message).toBe(
      'tool threw a non-Error value: {"code":"E1","status":500}',
    );
  });

  it('survives values JSON cannot write: cycles, BigInt, symbols', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(toToolplanError(cyclic).message).toBe('tool threw a non-Error value: [object Object]');
    expect(toToolplanError(10n).message).toBe('tool threw a non-Error value: 10');
    expect(toToolplanError(Symbol('s')).message).toBe('tool threw a non-Error value: Symbol(s)');
  });

  it('caps the text of huge thrown values', () => {
    const err = toToolplanError('x'.repeat(10_000));
    expect(err.message.length).toBe('tool threw a non-Error value: '.length + 500);
  });

  it('never throws and always returns a ToolplanError (property)', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withMap: true, withSet: true }), (value) => {
        const err = toToolplanError(value);
        expect(err).toBeInstanceOf(ToolplanError);
        expect(typeof err.message).toBe('string');
      }),
      { numRuns: 300 },
    );
  });
});

describe('toToolplanError on values that resist being written down', () => {
  it('handles an object whose JSON and toString both throw', () => {
    const hostile = { toString: false, '': 0n } as unknown;
    const err = toToolplanError(hostile);
    expect(err.name).toBe('ToolError');
    expect(err.message).toContain('non-Error value');
    expect(err.message).toContain('0n');
  });

  it('handles a cycle with a throwing toString', () => {
    const cyclic: Record<string, unknown> = {
      toString() {
        throw new Error('no');
      },
    };
    cyclic.self = cyclic;
    expect(toToolplanError(cyclic).message).toContain('[object Object]');
  });
});
