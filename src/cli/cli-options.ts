import type { Command } from 'commander';

/** Collects a repeatable option's values into a list (`--approve a --approve b`). */
export const collect = (value: string, previous: string[]) => [...previous, value];

/** `--tools MODULE`, repeatable: every command that loads tools takes them the same way. */
export function addToolsOption(command: Command): Command {
  return addMcpOptions(
    command.option(
      '--tools <module>',
      'module exporting `tools` (repeat for several)',
      collect,
      [] as string[],
    ),
  );
}

/** `--mcp SPEC` (repeatable) and `--mcp-config FILE`, beside `--tools` on every command. */
export function addMcpOptions(command: Command): Command {
  return command
    .option(
      '--mcp <spec>',
      'MCP server: a command line ("node server.js") or a URL; "name=SPEC" prefixes its tool names (repeat)',
      collect,
      [] as string[],
    )
    .option('--mcp-config <file>', 'JSON file listing MCP servers ({"mcpServers": {...}})');
}

/**
 * The options of the commands that talk to an LLM (`run`, `chat`): which one, how it plans,
 * and where its answers come from (see `modelFromOptions`).
 */
export function addModelOptions(command: Command): Command {
  return command
    .option('--provider <name>', 'openai or anthropic (default: from the environment)')
    .option('--model <id>', 'model id')
    .option('--mode <mode>', 'plan or react', 'plan')
    .option('--syntax <syntax>', 'plan syntax the LLM writes: json or compact', 'json')
    .option('--cassette <file>', 'replay LLM responses from this cassette (no network, no key)')
    .option('--record', 'with --cassette: record the real provider into the cassette');
}
