import { appendFileSync } from 'node:fs';
import { z } from 'zod';
import type { Tool } from '../../../src/tool/tool.ts';
import { pause } from '../../reliability/support/pause.ts';

/**
 * Tools with side effects for child-process Ctrl-C tests: `charge` and a slow `refund`
 * (its compensation), and `fail`. Each call appends `what|idempotency key` to the file
 * `TOOL_LOG` names: `refund-start` when a refund begins, `refund` once it is applied.
 */
const log = (line: string) => {
  if (process.env.TOOL_LOG) appendFileSync(process.env.TOOL_LOG, `${line}\n`);
};

export const tools: Tool[] = [
  {
    name: 'charge',
    description: 'charges an amount; returns the charge id',
    inputSchema: z.object({ amount: z.number() }),
    outputSchema: z.object({ id: z.string() }),
    mutating: true,
    execute: (args: { amount: number }, ctx) => {
      log(`charge|${ctx.idempotencyKey}`);
      return { id: `ch_${args.amount}` };
    },
  },
  {
    name: 'refund',
    description: 'refunds a charge by id',
    inputSchema: z.object({ id: z.string() }),
    mutating: true,
    execute: async (args: { id: string }, ctx) => {
      log(`refund-start|${ctx.idempotencyKey}`);
      await pause(Number(process.env.REFUND_MS ?? 300), ctx.signal);
      log(`refund|${ctx.idempotencyKey}`);
      return { refunded: args.id };
    },
  },
  {
    name: 'fail',
    description: 'always fails',
    inputSchema: z.object({}),
    execute: () => {
      throw new Error('the downstream service refused');
    },
  },
];
