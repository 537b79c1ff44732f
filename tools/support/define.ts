import type { z } from 'zod';
import { InvalidArgsError } from '../../src/errors/runtime-errors.ts';
import { defineTool, type Tool } from '../../src/tool/tool.ts';

/**
 * `defineTool`, plus: the arguments are parsed by the tool's own input schema before
 * `execute` sees them, so defaults are filled in and types hold whoever calls the tool
 * (the executor, a test, another program). Bad arguments are the model's mistake and
 * retrying them cannot help, hence InvalidArgs, not retryable. `execute` always returns a
 * promise, so every failure is a rejection, never a synchronous throw.
 */
export function bundledTool<I extends z.ZodType, O extends z.ZodType = z.ZodType<unknown>>(
  tool: Parameters<typeof defineTool<I, O>>[0],
): Tool<z.infer<I>, z.infer<O>> {
  const inner = tool.execute;
  return defineTool<I, O>({
    ...tool,
    async execute(args, ctx) {
      const parsed = tool.inputSchema.safeParse(args ?? {});
      if (!parsed.success) {
        const issues = parsed.error.issues.map(
          (i) => `${i.path.length ? i.path.join('.') : '(args)'}: ${i.message}`,
        );
        throw new InvalidArgsError(`invalid arguments for ${tool.name}: ${issues.join('; ')}`, {
          retryable: false,
          details: { tool: tool.name, issues },
        });
      }
      return inner.call(tool, parsed.data as z.infer<I>, ctx);
    },
  });
}
