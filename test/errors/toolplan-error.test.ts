import { describe, expect, it } from 'vitest';
import { isToolplanError, ToolplanError } from '../../src/errors/toolplan-error.ts';

describe('ToolplanError', () => {
  it('carries name, code, blame, details, cause and retryable', () => {
    const cause = new Error('root');
    const err = new ToolplanError('ToolError', 'it broke', {
      code: 'tool_failed',
      blame: 'tool',
      cause,
      details: { node: 'a' },
      retryable: false,
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ToolError');
    expect(err.message).toBe('it broke');
    expect(err.code).toBe('tool_failed');
    expect(err.blame).toBe('tool');
    expect(err.cause).toBe(cause);
    expect(err.details).toEqual({ node: 'a' });
    expect(err.retryable).toBe(false);
    expect(err.stack).toContain('it broke');
  });

  it('defaults details to {} and retryable to true, and sets no cause when none is given', () => {
    const err = new ToolplanError('X', 'm', { code: 'c', blame: 'internal' });
    expect(err.details).toEqual({});
    expect(err.retryable).toBe(true);
    expect('cause' in err).toBe(false);
  });

  it('keeps a falsy cause such as null or 0', () => {
    expect(new ToolplanError('X', 'm', { code: 'c', blame: 'model', cause: null }).cause).toBe(
      null,
    );
    expect(new ToolplanError('X', 'm', { code: 'c', blame: 'model', cause: 0 }).cause).toBe(0);
  });

  it('toJSON gives the stable fields and never the cause or stack', () => {
    const err = new ToolplanError('Timeout', 'too slow', {
      code: 'timeout',
      blame: 'tool',
      cause: new Error('secret-ish inner'),
      details: { ms: 5 },
    });
    const json = err.toJSON();
    expect(json).toEqual({
      name: 'Timeout',
      code: 'timeout',
      blame: 'tool',
      message: 'too slow',
      details: { ms: 5 },
    });
    expect(JSON.parse(JSON.stringify(err))).toEqual(json);
    expect(JSON.stringify(err)).not.toContain('secret-ish');
  });

  it('isToolplanError tells ToolplanErrors from everything else', () => {
    expect(isToolplanError(new ToolplanError('X', 'm', { code: 'c', blame: 'config' }))).toBe(true);
    expect(isToolplanError(new Error('x'))).toBe(false);
    expect(isToolplanError({ name: 'ToolError', code: 'x', blame: 'tool' })).toBe(false);
    expect(isToolplanError(null)).toBe(false);
    expect(isToolplanError('ToolError')).toBe(false);
  });
});
