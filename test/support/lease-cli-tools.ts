import { appendFileSync } from 'node:fs';
import { z } from 'zod';

/** Tools for the lease and resume CLI tests: every call logs `name key` to $LEASE_LOG. */
const log = (line: string) => {
  if (process.env.LEASE_LOG) appendFileSync(process.env.LEASE_LOG, `${line}\n`);
};
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });

export const tools = [
  {
    name: 'step',
    description: 'logs, then waits ms',
    inputSchema: z.object({ name: z.string(), ms: z.number().default(0) }),
    execute: async (
      { name, ms }: { name: string; ms: number },
      ctx: { idempotencyKey: string; signal: AbortSignal },
    ) => {
      log(`${name} ${ctx.idempotencyKey}`);
      await sleep(ms, ctx.signal);
      return { name };
    },
  },
  {
    name: 'charge',
    description: 'needs a person; logs, then waits ms',
    inputSchema: z.object({ name: z.string(), ms: z.number().default(0) }),
    requires_approval: true,
    execute: async (
      { name, ms }: { name: string; ms: number },
      ctx: { idempotencyKey: string; signal: AbortSignal },
    ) => {
      log(`charge ${name} ${ctx.idempotencyKey}`);
      await sleep(ms, ctx.signal);
      return { charged: name };
    },
  },
];
