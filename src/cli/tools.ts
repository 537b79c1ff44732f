import type { Command } from 'commander';
import type { RegisteredTool } from '../tool/registry.ts';
import { loadCliTools, type ToolSources } from '../tool/tool-sources.ts';
import { addToolsOption } from './cli-options.ts';

/**
 * `toolplan tools [--tools MODULE]... [--mcp SPEC]... [--mcp-config FILE] [--json]`: lists
 * every tool a command given the same options would see, with its flags and arguments.
 * Exit 0, or 2 when a module or server cannot be loaded.
 */
interface ToolsCliOptions extends ToolSources {
  json?: boolean;
}

export function registerToolsCommand(program: Command): void {
  addToolsOption(
    program.command('tools').description('list the tools from --tools modules and --mcp servers'),
  )
    .option('--json', 'print the tools and their schemas as JSON')
    .action(async (options: ToolsCliOptions) => {
      process.exitCode = await runTools(options);
    });
}

export const register = registerToolsCommand;

/** One line a tool: name, flags, description (its first line), then its argument names. */
export function describeTool(t: RegisteredTool): string {
  const flags = [
    t.tool.mutating ? 'mutating' : '',
    t.tool.requires_approval ? 'requires_approval' : '',
    t.tool.unknown_args === 'allow' ? 'unknown_args allowed' : '',
  ].filter(Boolean);
  const props = (t.inputSchema.properties ?? {}) as Record<string, { type?: unknown }>;
  const required = new Set(Array.isArray(t.inputSchema.required) ? t.inputSchema.required : []);
  const args = Object.entries(props)
    .map(([k, v]) => `${k}${required.has(k) ? '' : '?'}: ${JSON.stringify(v?.type ?? 'any')}`)
    .join(', ');
  const first = t.tool.description.split('\n')[0]?.slice(0, 160) ?? '';
  return `${t.name}${flags.length ? ` [${flags.join(', ')}]` : ''}  (${args})\n    ${first}`;
}

export async function runTools(
  options: ToolsCliOptions,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process,
): Promise<number> {
  try {
    const registry = await loadCliTools(options);
    const tools = registry.list().sort((a, b) => a.name.localeCompare(b.name));
    if (options.json) {
      const out = tools.map((t) => ({
        name: t.name,
        description: t.tool.description,
        source: t.source,
        inputSchema: t.inputSchema,
        ...(t.outputSchema ? { outputSchema: t.outputSchema } : {}),
        mutating: t.tool.mutating === true,
        requires_approval: t.tool.requires_approval === true,
      }));
      io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      for (const t of tools) io.stdout.write(`${describeTool(t)}\n`);
      io.stdout.write(`${tools.length} tool(s)\n`);
    }
    return 0;
  } catch (error) {
    io.stderr.write(`toolplan: ${(error as Error).name}: ${(error as Error).message}\n`);
    return 2;
  }
}
