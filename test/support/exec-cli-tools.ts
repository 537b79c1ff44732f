import { appendFileSync } from 'node:fs';
import { z } from 'zod';

/** Tools module for CLI tests (loaded by --tools). */
export const tools = [
  {
    name: 'add',
    description: 'adds',
    inputSchema: z.object({ a: z.number(), b: z.number() }),
    execute: ({ a, b }: { a: number; b: number }) => ({ sum: a + b }),
  },
  {
    name: 'explode',
    description: 'fails',
    inputSchema: z.object({}),
    execute: () => {
      throw new Error('kaboom');
    },
  },
  {
    name: 'launch',
    description: 'needs a person',
    inputSchema: z.object({ target: z.string() }),
    requires_approval: true,
    execute: ({ target }: { target: string }) => {
      if (process.env.CLI_LOG) appendFileSync(process.env.CLI_LOG, `launch ${target}\n`);
      return { launched: target };
    },
  },
  {
    name: 'slow',
    description: 'waits for its signal',
    inputSchema: z.object({}),
    execute: (_a: unknown, ctx: { signal: AbortSignal }) =>
      new Promise((_, reject) =>
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
      ),
  },
];
