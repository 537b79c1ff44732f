import { Command, CommanderError } from 'commander';
import { closeAllToolSources } from '../tool/open-tool-sources.ts';
import { reportFatal } from './report-fatal.ts';

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

type CommandModule = { register: (p: Command) => void };

/**
 * Every command with a one-line summary and a lazy loader: only the command being run is
 * imported, so `toolplan exec` never pays for loading the LLM SDKs.
 */
const COMMANDS: Array<{ name: string; summary: string; load: () => Promise<CommandModule> }> = [
  {
    name: 'run',
    summary: 'plan and run a task with an LLM, and print the answer',
    load: () => import('./run.ts'),
  },
  {
    name: 'chat',
    summary: 'talk to the planner: each message is planned and run with the conversation so far',
    load: () => import('./chat.ts'),
  },
  {
    name: 'exec',
    summary: 'run a plan file with no LLM, durably journaled',
    load: () => import('./exec.ts'),
  },
  {
    name: 'resume',
    summary: 'continue a run from its journal (after a crash, Ctrl-C or an approval)',
    load: () => import('./resume.ts'),
  },
  {
    name: 'runs',
    summary: "list journaled runs, or show one run's timeline",
    load: () => import('./runs.ts'),
  },
  {
    name: 'validate',
    summary: 'check a plan against the plan format and the tools, without running it',
    load: () => import('./validate.ts'),
  },
  {
    name: 'worker',
    summary: 'serve tool calls from a BullMQ queue on Redis (toolplan past one machine)',
    load: () => import('./worker.ts'),
  },
  {
    name: 'coordinator',
    summary: 'take over and finish the runs in Redis whose coordinator died',
    load: () => import('./coordinator.ts'),
  },
  {
    name: 'tools',
    summary: 'list the tools from --tools modules and --mcp servers',
    load: () => import('./tools.ts'),
  },
  {
    name: 'mcp',
    summary: 'serve the tools and plans as an MCP server (stdio, or --http PORT on 127.0.0.1)',
    load: () => import('./mcp.ts'),
  },
  {
    name: 'serve',
    summary: 'serve the HTTP API and the web console (live runs, approvals, chat)',
    load: () => import('./serve.ts'),
  },
  {
    name: 'eval',
    summary: 'run the eval suite offline from recorded LLM responses (no key, no network)',
    load: () => import('./eval.ts'),
  },
];

async function registerCommands(program: Command, argv: string[]): Promise<void> {
  const wanted = argv[2] === 'help' ? argv[3] : argv[2];
  const hit = COMMANDS.find((c) => c.name === wanted);
  if (hit) {
    (await hit.load()).register(program);
    return;
  }
  // Top-level help or an unknown command: summaries only, nothing heavy is loaded.
  for (const c of COMMANDS)
    program.command(c.name).description(c.summary).allowUnknownOption().helpOption(false);
}

/**
 * Commands whose work is over when their action returns. Once it has (the run ended, its
 * journal is flushed and closed), the process exits: a tool that leaked a timer or a socket
 * must not keep the CLI alive. Commands that serve until stopped are not listed.
 */
const ENDS_WITH_ITS_ACTION = new Set(['run', 'chat', 'exec', 'resume', 'runs', 'validate', 'eval']);

export async function runCli(argv: string[]): Promise<void> {
  const program = buildProgram();
  await registerCommands(program, argv);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; usage mistakes exit 2.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    reportFatal(error);
  } finally {
    // MCP servers a command started: their processes would keep this one alive.
    await closeAllToolSources();
  }
  if (ENDS_WITH_ITS_ACTION.has(argv[2] ?? '')) await exitWhenWritten();
}

/** Exits once stdout and stderr have taken everything written to them. */
async function exitWhenWritten(): Promise<never> {
  const drained = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => stream.write('', () => resolve()));
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(process.exitCode ?? 0);
}

export { reportFatal };
