import { type Command, InvalidArgumentError } from 'commander';

/** Collects a repeatable option's values into a list (`--approve a --approve b`). */
export const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * A parser for a whole-number option of at least `min`: commander prints the bad value and
 * the rule, and the CLI exits 2 before anything runs.
 */
export function wholeNumber(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`it takes a whole number of ${min} or more.`);
    return n;
  };
}

/**
 * `--max-concurrency N`: the caller's cap on a run's tool calls in flight (a plan's
 * `limits.max_concurrency` can only lower it). With `--redis` it is what lets one run fill
 * more worker slots than the default 16.
 */
export function addMaxConcurrencyOption(command: Command): Command {
  return command.option(
    '--max-concurrency <n>',
    'tool calls in flight at once per run (default 16; a plan may only lower it); with --redis, ' +
      'set it to the slots of your workers, e.g. --max-concurrency 64',
    wholeNumber(1),
  );
}

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
