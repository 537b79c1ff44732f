import { Command, CommanderError } from 'commander';
import { isToolplanError } from '../errors/toolplan-error.ts';

const HELP_FOOTER = `
Examples:
  toolplan eval                                   run the offline eval suite (no key needed)
  toolplan validate plan.json --tools ./tools/index.ts
  toolplan exec plan.json --tools ./tools/index.ts --input '{"user_id":"u1"}'
  toolplan run "what did u1, u2 and u3 spend?" --tools ./tools/index.ts

Exit codes: 0 ok, 1 run failed, 2 invalid plan or usage, 3 suspended (waiting for approval).
Configuration: OPENAI_API_KEY, ANTHROPIC_API_KEY, OPENAI_BASE_URL (see .env.example).`;

export function buildProgram(): Command {
  const program = new Command('toolplan')
    .description('Plan, validate and run LLM tool calls as a dataflow graph.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', HELP_FOOTER);
  program.exitOverride();
  return program;
}

/** Commands register themselves here; each module exports `register(program)`. */
async function registerCommands(program: Command): Promise<void> {
  const modules: Array<() => Promise<{ register: (p: Command) => void }>> = [];
  for (const load of modules) (await load()).register(program);
}

export async function runCli(argv: string[]): Promise<void> {
  const program = buildProgram();
  await registerCommands(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; usage mistakes exit 2.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    reportFatal(error);
  }
}

/** Prints an error the way a person can act on it: never a stack trace. */
export function reportFatal(error: unknown, exitCode = isToolplanError(error) && error.blame === 'config' ? 2 : 1): void {
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : 'Error';
  process.stderr.write(`toolplan: ${name}: ${message}\n`);
  if (process.env.TOOLPLAN_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = exitCode;
}
