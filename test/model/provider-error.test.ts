import { describe, expect, it } from 'vitest';
import { ToolplanError } from '../../src/errors/toolplan-error.ts';
import {
  isProviderError,
  ProviderError,
  type ProviderErrorCode,
} from '../../src/model/provider-error.ts';

/** Who must act, and whether asking again can help, for every code: the retry loop relies on it. */
const TABLE: [ProviderErrorCode, string, boolean][] = [
  ['auth', 'config', false],
  ['rate_limited', 'config', true],
  ['overloaded', 'model', true],
  ['server_error', 'model', true],
  ['stream_interrupted', 'model', true],
  ['bad_tool_arguments', 'model', false],
  ['bad_request', 'config', false],
  ['not_found', 'config', false],
  ['connection', 'config', true],
  ['timeout', 'model', true],
];

describe('ProviderError', () => {
  it.each(TABLE)('%s: blame %s, retryable %s', (code, blame, retryable) => {
    const error = new ProviderError(code, `it went wrong: ${code}`);
    expect(error.code).toBe(code);
    expect(error.blame).toBe(blame);
    expect(error.retryable).toBe(retryable);
    expect(error.name).toBe('ProviderError');
    expect(error.message).toBe(`it went wrong: ${code}`);
    expect(error.details).toEqual({});
    expect(error).toBeInstanceOf(ToolplanError);
    expect(error).toBeInstanceOf(Error);
  });

  it('keeps the cause and the details, and serialises them without the cause', () => {
    const cause = new TypeError('fetch failed');
    const error = new ProviderError('bad_tool_arguments', 'the model sent malformed JSON', {
      cause,
      details: {
        provider: 'openai',
        status: 200,
        requestId: 'req_1',
        toolName: 'calc',
        toolCallId: 'call_1',
        rawArguments: '{"expr": "2+',
      },
    });
    expect(error.cause).toBe(cause);
    expect(error.toJSON()).toEqual({
      name: 'ProviderError',
      code: 'bad_tool_arguments',
      blame: 'model',
      message: 'the model sent malformed JSON',
      details: {
        provider: 'openai',
        status: 200,
        requestId: 'req_1',
        toolName: 'calc',
        toolCallId: 'call_1',
        rawArguments: '{"expr": "2+',
      },
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual(error.toJSON());
  });

  it('has no cause property at all when none was given', () => {
    expect('cause' in new ProviderError('timeout', 'slow')).toBe(false);
  });

  it('covers every code in the table above', () => {
    // A code added without a blame would make `blame` undefined: this catches it.
    for (const [code] of TABLE) expect(new ProviderError(code, 'x').blame).toBeTypeOf('string');
    expect(new Set(TABLE.map(([code]) => code)).size).toBe(TABLE.length);
  });
});

describe('isProviderError', () => {
  it('is true for ProviderError and false for look-alikes', () => {
    expect(isProviderError(new ProviderError('auth', 'x'))).toBe(true);
    expect(
      isProviderError(new ToolplanError('ProviderError', 'x', { code: 'auth', blame: 'config' })),
    ).toBe(false);
    expect(isProviderError({ name: 'ProviderError', code: 'auth', blame: 'config' })).toBe(false);
    expect(isProviderError(new Error('auth'))).toBe(false);
    expect(isProviderError(null)).toBe(false);
    expect(isProviderError(undefined)).toBe(false);
    expect(isProviderError('ProviderError')).toBe(false);
  });
});
