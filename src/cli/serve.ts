import type { Command } from 'commander';
import { DEFAULT_JOURNAL_DIR } from '../exec/file-journal-store.ts';
import { DEFAULT_LIMITS, startServer } from '../serve/server.ts';
import { startTracing } from '../telemetry/otlp-setup.ts';
import { loadCliTools } from '../tool/tool-sources.ts';
import { addMaxConcurrencyOption, addModelOptions, addToolsOption } from './cli-options.ts';
import { modelFromOptions } from './loop-support.ts';

/**
 * `toolplan serve --tools M [--mcp S] [--mcp-config F] [--port 4170] [--host 127.0.0.1] [--journal DIR] [--cors ORIGIN]`:
 * the HTTP API and the web console. Prints the console URL (with the token when it was
 * generated); SIGTERM or Ctrl-C drains: no new work, running calls get `--grace-ms` to
 * finish, the rest is journaled and resumed on the next start.
 */
export interface ServeCliOptions {
  tools: string[];
  mcp?: string[];
  mcpConfig?: string;
  port: string;
  host: string;
  journal: string;
  cors?: string;
  maxBodyBytes: string;
  graceMs: string;
  provider?: string;
  model?: string;
  cassette?: string;
  record?: boolean;
  redis?: string;
  leaseMs?: string;
  maxConcurrency?: number;
}

export function registerServeCommand(program: Command): void {
  const command = program
    .command('serve')
    .description('serve the HTTP API and the web console (127.0.0.1, bearer token)');
  addMaxConcurrencyOption(addModelOptions(addToolsOption(command)))
    .option('--port <n>', 'port (0: any free port)', '4170')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--journal <dir>', 'journal folder (runs, tasks, conversations)', DEFAULT_JOURNAL_DIR)
    .option('--cors <origin>', 'allow this browser origin (no CORS by default)')
    .option('--max-body-bytes <n>', 'request body size limit', '1000000')
    .option('--grace-ms <n>', 'on SIGTERM, how long running calls may finish', '10000')
    .option(
      '--redis <url>',
      'share the plan runs with every serve on this Redis; calls go to `toolplan worker`s',
    )
    .option(
      '--lease-ms <ms>',
      "with --redis: how soon a dead server's runs are taken over (default 10000, e.g. --lease-ms 5000)",
    )
    .addHelpText(
      'after',
      `
Examples:
  toolplan serve --tools ./tools/index.ts --port 4170
  toolplan serve --tools ./tools/index.ts --redis redis://127.0.0.1:6379 --port 4171
    (run it on several machines; start \`toolplan worker --tools ./tools/index.ts --redis URL\` too)`,
    )
    .action(async (options: ServeCliOptions) => {
      process.exitCode = await runServe(options);
    });
}

export const register = registerServeCommand;

function redisOptions(options: ServeCliOptions, io: { stderr: NodeJS.WritableStream }) {
  const leaseMs = Number(options.leaseMs ?? process.env.TOOLPLAN_REDIS_LEASE_MS) || undefined;
  return {
    url: options.redis as string,
    ...(leaseMs ? { leaseMs } : {}),
    log: (line: string) => io.stderr.write(`${line}\n`),
  };
}

export async function runServe(options: ServeCliOptions, io = process): Promise<number> {
  const tracing = await startTracing('toolplan serve');
  // The same loader as exec/run/resume: --mcp servers are closed by the CLI's entry point
  // once serve has drained.
  const registry = await loadCliTools(options);
  const hasModel = Boolean(
    options.cassette ||
      process.env.OPENAI_API_KEY ||
      process.env.ANTHROPIC_API_KEY ||
      process.env.OPENAI_BASE_URL,
  );
  const server = await startServer({
    tools: registry,
    ...(hasModel ? { model: () => modelFromOptions(options) } : {}),
    journalDir: options.journal,
    host: options.host,
    port: Number(options.port),
    ...(options.cors ? { cors: options.cors } : {}),
    maxBodyBytes: Number(options.maxBodyBytes),
    ...(options.maxConcurrency
      ? { limits: { ...DEFAULT_LIMITS, max_concurrency: options.maxConcurrency } }
      : {}),
    ...(tracing ? { observeRun: tracing.observeRun, observeTask: tracing.observeTask } : {}),
    ...(options.redis ? { redis: redisOptions(options, io) } : {}),
  });
  const fromEnv = Boolean(process.env.TOOLPLAN_TOKEN);
  io.stderr.write(
    `toolplan serve: listening on ${server.url} (journal ${options.journal})\n` +
      `  console: ${server.url}/${fromEnv ? '  (token from TOOLPLAN_TOKEN)' : `#token=${server.token}`}\n` +
      (fromEnv ? '' : `  API: Authorization: Bearer ${server.token}\n`) +
      (server.recovered.runs.length
        ? `  resumed ${server.recovered.runs.length} interrupted run(s): ${server.recovered.runs.join(', ')}\n`
        : '') +
      (server.recovered.tasks.length
        ? `  ${server.recovered.tasks.length} task(s) were interrupted: ${server.recovered.tasks.join(', ')}\n`
        : '') +
      (options.redis
        ? `  plan runs shared through Redis at ${(await import('../redis/redis-cli.ts')).redactUrl(options.redis)}; their calls go to toolplan workers\n`
        : '') +
      (hasModel
        ? ''
        : '  no LLM configured (set a provider key or pass --cassette): POST /v1/tasks is refused\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      io.stderr.write(`toolplan serve: ${signal}: draining (up to ${options.graceMs} ms)\n`);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      server
        .drain(Number(options.graceMs))
        .then(() => tracing?.shutdown())
        .finally(resolve);
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
  io.stderr.write('toolplan serve: stopped\n');
  return 0;
}
