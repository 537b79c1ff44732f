import { z } from 'zod';
import type { Tool } from '../../src/tool/tool.ts';

/** Small real tools for executor tests; `calls` records every call with its context. */
export interface CallLog {
  tool: string;
  args: unknown;
  key: string;
  attempt: number;
  start: number;
  end?: number;
}

export function makeTools(log: CallLog[] = []) {
  const rec = (tool: string, args: unknown, ctx: { idempotencyKey: string; attempt: number }) => {
    const entry: CallLog = {
      tool,
      args,
      key: ctx.idempotencyKey,
      attempt: ctx.attempt,
      start: Date.now(),
    };
    log.push(entry);
    return entry;
  };
  const anyArgs = z.object({}).passthrough();
  const tools: Tool[] = [
    {
      name: 'echo',
      description: 'returns its args',
      inputSchema: anyArgs,
      execute: (args, ctx) => {
        rec('echo', args, ctx);
        return args;
      },
    },
    {
      name: 'add',
      description: 'adds a and b',
      inputSchema: z.object({ a: z.number(), b: z.number() }),
      outputSchema: z.object({ sum: z.number() }),
      execute: ({ a, b }, ctx) => {
        rec('add', { a, b }, ctx);
        return { sum: a + b };
      },
    },
    {
      name: 'sleep',
      description: 'waits ms then returns {ms}',
      inputSchema: z.object({ ms: z.number(), tag: z.string().optional() }),
      execute: async ({ ms, tag }, ctx) => {
        const e = rec('sleep', { ms, tag }, ctx);
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, ms);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(t);
            reject(ctx.signal.reason);
          });
        });
        e.end = Date.now();
        return { ms, tag: tag ?? null };
      },
    },
    {
      name: 'hang',
      description: 'never finishes and ignores its signal',
      inputSchema: anyArgs,
      execute: (args, ctx) => {
        rec('hang', args, ctx);
        return new Promise(() => {});
      },
    },
    {
      name: 'boom',
      description: 'fails with a ToolError',
      inputSchema: anyArgs,
      execute: (args, ctx) => {
        rec('boom', args, ctx);
        throw new Error('boom');
      },
    },
  ];
  return { tools, log };
}

/** A tool that fails its first `failures` calls, then returns {ok: true, attempt}. */
export function flaky(name: string, failures: number, errorName = 'Error'): Tool {
  let calls = 0;
  return {
    name,
    description: 'fails then succeeds',
    inputSchema: z.object({}).passthrough(),
    execute: (_args, ctx) => {
      calls += 1;
      if (calls <= failures) {
        const e = new Error(`flaky failure ${calls}`);
        e.name = errorName;
        throw e;
      }
      return { ok: true, attempt: ctx.attempt };
    },
  };
}
