import { appendFileSync } from 'node:fs';
import type { Tool } from '../../../src/tool/tool.ts';
import { shopTools } from './shop-tools.ts';

/**
 * The test shop tools for child processes, each call appended to the file `TOOL_LOG` names:
 * a test counts calls across the processes of a task (run, then resume).
 */
export const tools: Tool[] = shopTools().tools.map((tool) => ({
  ...tool,
  execute: async (args: never, ctx: never) => {
    const out = await (tool.execute as (a: unknown, c: unknown) => unknown)(args, ctx);
    if (process.env.TOOL_LOG) appendFileSync(process.env.TOOL_LOG, `${tool.name}\n`);
    return out;
  },
}));
