import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Tools for the distributed tests, loaded by worker and coordinator processes alike. Each
 * call appends a line to `$TOOLPLAN_MARKS/calls.log` when it starts and when it finishes
 * (`start|finish key pid`), so a test can count finished calls per idempotency key across
 * every process. `O_APPEND` writes of one short line are atomic.
 */
const marks = process.env.TOOLPLAN_MARKS;

function mark(what: string, key: string): void {
  if (marks) appendFileSync(join(marks, 'calls.log'), `${what} ${key} ${process.pid}\n`);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const obj = (properties: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

export const tools = [
  {
    name: 'slow_square',
    description: 'Squares n after waiting ms milliseconds.',
    inputSchema: obj({ n: { type: 'number' }, ms: { type: 'number' } }, ['n', 'ms']),
    outputSchema: obj({ n: { type: 'number' }, sq: { type: 'number' } }, ['n', 'sq']),
    async execute(
      args: { n: number; ms: number },
      ctx: { signal: AbortSignal; idempotencyKey: string },
    ) {
      mark('start', ctx.idempotencyKey);
      await sleep(args.ms, ctx.signal);
      mark('finish', ctx.idempotencyKey);
      return { n: args.n, sq: args.n * args.n };
    },
  },
  {
    name: 'db_lookup',
    description: 'Looks a name up; served only by workers of the db queue.',
    inputSchema: obj({ id: { type: 'string' } }, ['id']),
    queue: 'db',
    async execute(args: { id: string }, ctx: { idempotencyKey: string }) {
      mark('finish', ctx.idempotencyKey);
      return { id: args.id, name: `name-${args.id}`, pid: process.pid };
    },
  },
  {
    name: 'hang',
    description: 'Waits until its signal aborts, then says why.',
    inputSchema: obj({}, []),
    async execute(_args: unknown, ctx: { signal: AbortSignal; idempotencyKey: string }) {
      mark('start', ctx.idempotencyKey);
      await new Promise((_, reject) =>
        ctx.signal.addEventListener('abort', () => {
          mark('aborted', ctx.idempotencyKey);
          reject(ctx.signal.reason);
        }),
      );
    },
  },
  {
    name: 'flaky',
    description: 'Fails on its first attempt, succeeds on the next.',
    inputSchema: obj({}, []),
    retry: { attempts: 3, delay_ms: 10, on: ['ToolError'] },
    async execute(_args: unknown, ctx: { attempt: number; idempotencyKey: string }) {
      mark(`attempt${ctx.attempt}`, ctx.idempotencyKey);
      if (ctx.attempt === 1) {
        const e = new Error('first try fails');
        e.name = 'ToolError';
        throw e;
      }
      return { attempt: ctx.attempt, zero: 0 };
    },
  },
  {
    name: 'pay',
    description: 'Pays; every call needs a person to approve it.',
    inputSchema: obj({ amount: { type: 'number' } }, ['amount']),
    requires_approval: true,
    mutating: true,
    async execute(args: { amount: number }, ctx: { idempotencyKey: string }) {
      mark('finish', ctx.idempotencyKey);
      return { paid: args.amount };
    },
  },
];
