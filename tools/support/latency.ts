import type { Tool } from '../../src/tool/tool.ts';
import { sleep } from './sleep.ts';

/**
 * Wraps a tool so every call first waits `latencyMs` (benchmarks: "tools of 100 ms") and
 * refuses to start once its signal is aborted. The wait honours the signal.
 */
export function withLatency(tool: Tool, latencyMs: number): Tool {
  const inner = tool.execute.bind(tool);
  return {
    ...tool,
    async execute(args, ctx) {
      ctx.signal.throwIfAborted();
      if (latencyMs > 0) await sleep(latencyMs, ctx.signal);
      return inner(args, ctx);
    },
  };
}
