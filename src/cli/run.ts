import type { Command } from 'commander';
import { ConfigError } from '../errors/runtime-errors.ts';
import { isToolplanError } from '../errors/toolplan-error.ts';
import type { PlanSyntax } from '../loop/planner.ts';
import { runTask } from '../loop/run-task.ts';
import type { TaskMode, TaskResult } from '../loop/task-types.ts';
import { loadRegistry } from '../tool/load-tools-module.ts';
import { modelFromOptions, progressLine, terminalApprover } from './loop-support.ts';

/**
 * `toolplan run "TASK" --tools MODULE...`: plans (or reacts), runs and answers. The answer
 * goes to stdout, progress to stderr; `--json` writes the loop's events as NDJSON instead.
 * Exit 0 answered, 1 failed, 2 usage/config or a plan that stayed invalid, 3 suspended.
 */
export interface RunCliOptions {
  tools: string[];
  provider?: string;
  model?: string;
  mode?: string;
  syntax?: string;
  reactStyle?: string;
  cassette?: string;
  record?: boolean;
  json?: boolean;
  input?: string;
  maxLlmCalls?: string;
  deadlineMs?: string;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('plan and run a task with an LLM, and print the answer')
    .argument('<task>', 'what to do, in words')
    .option(
      '--tools <module>',
      'module exporting `tools` (repeat for several)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--provider <name>', 'openai or anthropic (default: from the environment)')
    .option('--model <id>', 'model id')
    .option('--mode <mode>', 'plan or react', 'plan')
    .option('--syntax <syntax>', 'plan syntax the LLM writes: json or compact', 'json')
    .option('--react-style <style>', 'react mode: parallel or single', 'parallel')
    .option('--cassette <file>', 'replay LLM responses from this cassette (no network, no key)')
    .option('--record', 'with --cassette: record the real provider into the cassette')
    .option('--input <json>', 'the run input, a JSON object (`input` in plans)')
    .option('--max-llm-calls <n>', 'LLM call budget')
    .option('--deadline-ms <n>', 'wall-clock budget for the task')
    .option('--json', 'write events as NDJSON on stdout')
    .action(async (task: string, options: RunCliOptions) => {
      process.exitCode = await runRun(task, options);
    });
}

/** The name main.ts looks for. */
export const register = registerRunCommand;

export async function runRun(
  task: string,
  options: RunCliOptions,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process,
): Promise<number> {
  let finish = async () => {};
  try {
    const mode = oneOf(options.mode ?? 'plan', ['plan', 'react'], '--mode') as TaskMode;
    const syntax = oneOf(options.syntax ?? 'json', ['json', 'compact'], '--syntax') as PlanSyntax;
    const reactStyle = oneOf(
      options.reactStyle ?? 'parallel',
      ['parallel', 'single'],
      '--react-style',
    ) as 'parallel' | 'single';
    const cli = modelFromOptions(options);
    finish = cli.finish;
    const registry = await loadRegistry(options.tools);
    const input = options.input === undefined ? undefined : parseInput(options.input);
    const controller = new AbortController();
    const onSignal = () => controller.abort(new Error('interrupted'));
    process.once('SIGINT', onSignal);
    const approve = terminalApprover();
    let result: TaskResult;
    try {
      result = await runTask(task, {
        model: cli.model,
        tools: registry,
        mode,
        syntax,
        reactStyle,
        signal: controller.signal,
        ...(approve ? { approve } : {}),
        ...(input ? { input } : {}),
        budgets: {
          ...(options.maxLlmCalls ? { maxLlmCalls: Number(options.maxLlmCalls) } : {}),
          ...(options.deadlineMs ? { deadlineMs: Number(options.deadlineMs) } : {}),
        },
        onEvent: (event) => {
          if (options.json) io.stdout.write(`${JSON.stringify(event)}\n`);
          else {
            const line = progressLine(event);
            if (line) io.stderr.write(`${line}\n`);
          }
        },
      });
    } finally {
      process.removeListener('SIGINT', onSignal);
    }
    await finish();
    return report(result, options, io);
  } catch (error) {
    await finish().catch(() => {});
    const message = error instanceof Error ? error.message : String(error);
    const name = error instanceof Error ? error.name : 'Error';
    io.stderr.write(`toolplan run: ${name}: ${message}\n`);
    return isToolplanError(error) && error.blame === 'config' ? 2 : 1;
  }
}

function report(
  result: TaskResult,
  options: RunCliOptions,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): number {
  const u = result.usage;
  io.stderr.write(
    `${result.status}: ${u.llmCalls} LLM call(s), ${u.inputTokens} in / ${u.outputTokens} out tokens, $${u.costUsd.toFixed(4)}, ${result.toolCalls.length} tool call(s), ${Math.round(result.timings.totalMs)} ms\n`,
  );
  if (result.status === 'answered') {
    if (!options.json) io.stdout.write(`${result.answer ?? ''}\n`);
    return 0;
  }
  if (result.status === 'suspended') {
    io.stderr.write(
      'waiting for approval: run in a terminal to approve, or pass an approve callback\n',
    );
    return 3;
  }
  const error = result.error;
  if (error) io.stderr.write(`toolplan run: ${error.name}: ${error.message}\n`);
  if (error?.code === 'plan_invalid') return 2;
  return error && error.blame === 'config' ? 2 : 1;
}

function oneOf(value: string, allowed: string[], flag: string): string {
  if (!allowed.includes(value)) {
    throw new ConfigError(
      'bad_option',
      `${flag} must be one of ${allowed.join(', ')}, got "${value}"`,
    );
  }
  return value;
}

function parseInput(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      'bad_option',
      `--input is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError('bad_option', '--input must be a JSON object');
  }
  return value as Record<string, unknown>;
}
