import { appendFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Tools for the serve tests (loaded by --tools in child processes too). Each execution is
 * logged to SERVE_LOG, with its idempotency key, so a test can count what ran.
 */
function log(line: string): void {
  if (process.env.SERVE_LOG) appendFileSync(process.env.SERVE_LOG, `${line}\n`);
}

export const tools = [
  {
    name: 'wait',
    description: 'waits `ms` milliseconds (or until cancelled), then returns its label',
    inputSchema: z.object({ ms: z.number().int().min(0), label: z.string() }),
    execute: (
      { ms, label }: { ms: number; label: string },
      ctx: { signal: AbortSignal; idempotencyKey: string },
    ) =>
      new Promise((resolve, reject) => {
        log(`start ${label} ${ctx.idempotencyKey}`);
        const timer = setTimeout(() => {
          log(`done ${label} ${ctx.idempotencyKey}`);
          resolve({ label, ms });
        }, ms);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(ctx.signal.reason);
        });
      }),
  },
  {
    name: 'flaky',
    description: 'fails its first `fails` attempts, then succeeds',
    inputSchema: z.object({ fails: z.number().int().min(0) }),
    execute: ({ fails }: { fails: number }, ctx: { attempt: number }) => {
      if (ctx.attempt <= fails) throw new Error(`flaky: attempt ${ctx.attempt} fails`);
      return { attempt: ctx.attempt };
    },
  },
  {
    name: 'send',
    description: 'sends a message; needs a person to approve',
    inputSchema: z.object({ to: z.string(), text: z.string() }),
    requires_approval: true,
    mutating: true,
    execute: ({ to }: { to: string }, ctx: { idempotencyKey: string }) => {
      log(`send ${to} ${ctx.idempotencyKey}`);
      return { sent: to };
    },
  },
];
