import { z } from 'zod';
import { FatalToolError, ToolError } from '../../src/errors/runtime-errors.ts';
import type { Tool } from '../../src/tool/tool.ts';
import { bundledTool } from '../support/define.ts';
import { idempotent } from '../support/idempotency.ts';
import { sleep } from '../support/sleep.ts';
import type { ScenarioState } from './scenario-state.ts';

/** Services that fail, stall or break on purpose, and a place to log the failures. */
export function createFaultTools(state: ScenarioState): Tool[] {
  const k = state.options.flakySucceedsOnAttempt;
  return [
    bundledTool({
      name: 'flaky_service',
      description: `A service with transient failures: it fails with a retryable ToolError on the first ${k - 1} attempt(s) of a call and succeeds on attempt ${k}. Retry it (retry.attempts >= ${k}). Read-only.`,
      inputSchema: z.object({
        request: z.string().max(1000).default('ping').describe('What to ask the service'),
      }),
      outputSchema: z.object({
        ok: z.literal(true).describe('Always true'),
        request: z.string().describe('The request echoed back'),
        attempt: z.number().int().describe('The attempt that succeeded'),
      }),
      execute: ({ request }, ctx) => {
        state.count('flaky_service');
        if (ctx.attempt < k) {
          throw new ToolError(`flaky_service: transient failure on attempt ${ctx.attempt}`, {
            code: 'transient',
            details: { attempt: ctx.attempt, succeeds_on: k },
          });
        }
        return { ok: true as const, request, attempt: ctx.attempt };
      },
    }),
    bundledTool({
      name: 'slow_service',
      description:
        'A slow service: waits the given number of milliseconds, then answers. Stops at once when the call is cancelled or times out. Read-only.',
      inputSchema: z.object({
        ms: z.number().int().min(0).max(600_000).default(1000).describe('How long to take, ms'),
      }),
      outputSchema: z.object({ waited_ms: z.number().int().describe('How long it waited') }),
      execute: async ({ ms }, ctx) => {
        state.count('slow_service');
        await sleep(ms, ctx.signal);
        return { waited_ms: ms };
      },
    }),
    bundledTool({
      name: 'always_fails',
      description:
        'A decommissioned legacy service: every call fails with a permanent error that is not retryable. Do not rely on it.',
      inputSchema: z.object({
        request: z.string().max(1000).optional().describe('Ignored'),
      }),
      outputSchema: z.object({ ok: z.boolean().describe('Never returned') }),
      execute: (): { ok: boolean } => {
        state.count('always_fails');
        throw new FatalToolError('always_fails: the legacy service was decommissioned');
      },
    }),
    bundledTool({
      name: 'log_error',
      description:
        'Record an error message in the incident log (for a catch block). Appends to the log: changes state, harmless.',
      inputSchema: z.object({
        message: z.string().max(10_000).describe('What went wrong'),
        node: z.string().max(200).optional().describe('Which step failed'),
      }),
      outputSchema: z.object({
        logged: z.literal(true).describe('Always true'),
        entry: z.number().int().describe('Position of the entry in the log, from 1'),
      }),
      mutating: true,
      execute: idempotent(({ message, node }) => {
        state.count('log_error');
        state.errorsLogged.push({ message, node: node ?? null });
        return { logged: true as const, entry: state.errorsLogged.length };
      }),
    }),
  ];
}
