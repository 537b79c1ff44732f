import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../src/errors/runtime-errors.ts';
import { isRetryable, resolveRetry } from '../../src/exec/backoff.ts';
import { decodeFailure, encodeFailure, failureError, jobIdFor } from '../../src/redis/job-codec.ts';

describe('job ids', () => {
  it('are the idempotency key for a first try, and one per later try', () => {
    expect(jobIdFor('run1/n/3', 1)).toBe('run1/n/3');
    expect(jobIdFor('run1/n/3', 2)).toBe('run1/n/3@2');
    // BullMQ refuses ':' in custom ids.
    expect(jobIdFor('a:b/n', 1)).not.toContain(':');
  });
});

describe('failures across the queue', () => {
  it('keep the error name, code, retryability and details, so retry policies still apply', () => {
    const error = new TimeoutError('slow', { details: { timeout_ms: 5 } });
    const back = failureError(decodeFailure(encodeFailure(error, false)));
    expect(back).toMatchObject({
      name: 'Timeout',
      code: 'timeout',
      message: 'slow',
      details: { timeout_ms: 5 },
    });
    expect(isRetryable(resolveRetry({ attempts: 2, on: ['Timeout'] }, undefined), back)).toBe(true);
    const fatal = Object.assign(new Error('no'), { name: 'ToolError', retryable: false });
    expect(failureError(decodeFailure(encodeFailure(fatal, false))).retryable).toBe(false);
  });

  it('mark a try the coordinator cancelled, which is not the tool’s verdict', () => {
    expect(decodeFailure(encodeFailure(new Error('x'), true)).aborted).toBe(true);
    expect(decodeFailure(encodeFailure(new Error('x'), false)).aborted).toBeUndefined();
  });

  it('read a reason BullMQ wrote itself as a retryable WorkerLost', () => {
    const f = decodeFailure('job stalled more than allowable limit');
    expect(f).toMatchObject({ name: 'WorkerLost', code: 'worker_lost' });
    expect(f.message).toContain('stalled');
    expect(failureError(f).retryable).toBe(true);
  });
});
