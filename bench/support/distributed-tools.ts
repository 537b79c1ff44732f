import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Tools for the distributed benches, loaded by the worker processes and the coordinators.
 * With `$TOOLPLAN_MARKS` set, each call appends `start|finish key pid ms` lines to
 * `calls.log` there (one short O_APPEND write: atomic), for the kill trials to count.
 */
const marks = process.env.TOOLPLAN_MARKS;
const mark = (what: string, key: string) => {
  if (marks)
    appendFileSync(join(marks, 'calls.log'), `${what} ${key} ${process.pid} ${Date.now()}\n`);
};

const obj = (properties: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

export const tools = [
  {
    name: 'io_wait',
    description: 'Waits ms milliseconds (an I/O-bound call: a slow API), then returns n * 2.',
    inputSchema: obj({ n: { type: 'number' }, ms: { type: 'number' } }, ['n', 'ms']),
    execute(args: { n: number; ms: number }, ctx: { signal: AbortSignal; idempotencyKey: string }) {
      mark('start', ctx.idempotencyKey);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          mark('finish', ctx.idempotencyKey);
          resolve({ n: args.n, v: args.n * 2 });
        }, args.ms);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          reject(ctx.signal.reason);
        });
      });
    },
  },
  {
    name: 'echo',
    description: 'Returns its input at once.',
    inputSchema: obj({ x: { type: 'number' } }, ['x']),
    execute: (args: { x: number }) => ({ x: args.x + 1 }),
  },
];
