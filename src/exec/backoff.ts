import type { RetryPolicy } from '../tool/tool.ts';

export interface ResolvedRetry {
  attempts: number;
  delay_ms: number;
  factor: number;
  max_delay_ms: number;
  jitter: 'full' | 'none';
  on: readonly string[];
}

export const DEFAULT_RETRY: ResolvedRetry = {
  attempts: 1,
  delay_ms: 200,
  factor: 2,
  max_delay_ms: 10_000,
  jitter: 'full',
  on: ['ToolError', 'Timeout'],
};

/** The plan's retry fields win over the tool's defaults, which win over ours. */
export function resolveRetry(
  tool: RetryPolicy | undefined,
  node: RetryPolicy | undefined,
): ResolvedRetry {
  return {
    attempts: node?.attempts ?? tool?.attempts ?? DEFAULT_RETRY.attempts,
    delay_ms: node?.delay_ms ?? tool?.delay_ms ?? DEFAULT_RETRY.delay_ms,
    factor: node?.factor ?? tool?.factor ?? DEFAULT_RETRY.factor,
    max_delay_ms: node?.max_delay_ms ?? tool?.max_delay_ms ?? DEFAULT_RETRY.max_delay_ms,
    jitter: node?.jitter ?? tool?.jitter ?? DEFAULT_RETRY.jitter,
    on: node?.on ?? tool?.on ?? DEFAULT_RETRY.on,
  };
}

/**
 * Delay before try number `attempt + 1`, after `attempt` failed tries (attempt >= 1):
 * exponential, capped at max_delay_ms, with full jitter (uniform in [0, cap]) so that
 * many callers failing together do not retry together. `random` is injectable for tests.
 */
export function backoffDelay(
  policy: ResolvedRetry,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exp = policy.delay_ms * policy.factor ** Math.max(0, attempt - 1);
  const cap = Math.min(policy.max_delay_ms, exp);
  return policy.jitter === 'full' ? Math.floor(random() * cap) : cap;
}

/** Whether an error may be retried under a policy. */
export function isRetryable(
  policy: ResolvedRetry,
  error: { name: string; retryable?: boolean },
): boolean {
  return error.retryable !== false && policy.on.includes(error.name);
}
