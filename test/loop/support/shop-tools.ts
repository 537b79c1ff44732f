import { z } from 'zod';
import type { Tool } from '../../../src/tool/tool.ts';

const ORDERS: Record<string, { id: string; amount: number }[]> = {
  u1: [
    { id: 'o1', amount: 10 },
    { id: 'o2', amount: 5.5 },
  ],
  u2: [{ id: 'o3', amount: 20 }],
  u3: [{ id: 'o4', amount: 1.25 }],
};

export interface CallLog {
  calls: { name: string; args: unknown; start: number; end: number }[];
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (ms <= 0) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });

/** Small shop tools that log every call with wall-clock times (performance.now()). */
export function shopTools(options: { latencyMs?: number; injection?: string } = {}): {
  tools: Tool[];
  log: CallLog;
} {
  const log: CallLog = { calls: [] };
  const latency = options.latencyMs ?? 0;
  const logged =
    <A>(name: string, fn: (args: A) => unknown) =>
    async (args: A, ctx: { signal: AbortSignal }) => {
      const start = performance.now();
      await sleep(latency, ctx.signal);
      const out = fn(args);
      log.calls.push({ name, args, start, end: performance.now() });
      return out;
    };
  const tools: Tool[] = [
    {
      name: 'get_user',
      description: 'A user by id.',
      inputSchema: z.object({ user_id: z.string() }),
      outputSchema: z.object({ id: z.string(), name: z.string(), note: z.string() }),
      execute: logged('get_user', ({ user_id }: { user_id: string }) => ({
        id: user_id,
        name: `User ${user_id}`,
        note: options.injection ?? 'regular customer',
      })),
    },
    {
      name: 'get_orders',
      description: "A user's orders.",
      inputSchema: z.object({ user_id: z.string() }),
      outputSchema: z.array(z.object({ id: z.string(), amount: z.number() })),
      execute: logged('get_orders', ({ user_id }: { user_id: string }) => ORDERS[user_id] ?? []),
    },
    {
      name: 'calculate_total',
      description: 'Sum of order amounts.',
      inputSchema: z.object({ orders: z.array(z.object({ amount: z.number() }).loose()) }),
      outputSchema: z.object({ total: z.number(), count: z.number() }),
      execute: logged('calculate_total', ({ orders }: { orders: { amount: number }[] }) => ({
        total: orders.reduce((s, o) => s + o.amount, 0),
        count: orders.length,
      })),
    },
    {
      name: 'delete_everything',
      description: 'Deletes every record. Dangerous.',
      inputSchema: z.object({}),
      mutating: true,
      requires_approval: true,
      execute: logged('delete_everything', () => ({ deleted: true })),
    },
  ];
  return { tools, log };
}
