import { createInterface, type Interface } from 'node:readline/promises';
import type { Command } from 'commander';
import { isToolplanError } from '../errors/toolplan-error.ts';
import { FileJournalStore } from '../exec/file-journal-store.ts';
import type { PlanSyntax } from '../loop/planner.ts';
import type { TaskApproveFn } from '../loop/ports.ts';
import { runTask } from '../loop/run-task.ts';
import type { TaskMode, TaskResult } from '../loop/task-types.ts';
import type { Message } from '../model/messages.ts';
import { loadCliTools } from '../tool/tool-sources.ts';
import { fullArguments, wantsFullArguments } from './approval-question.ts';
import { cliErrorText, cliThrownText } from './cli-error-text.ts';
import { addModelOptions, addToolsOption } from './cli-options.ts';
import { cancelOnSigint } from './interrupt.ts';
import { modelFromOptions, progressLine } from './loop-support.ts';
import { approvalQuestion, isYes } from './terminal-approver.ts';

/**
 * `toolplan chat --tools MODULE...`: a conversation on the terminal. Each message runs the
 * loop with the conversation so far as history; calls needing approval are asked in place.
 * `/exit` or end of input leaves. Ctrl-C during a message follows the `exec` rule: it
 * cancels the run, lets its compensations finish, and a second one stops them.
 */
export interface ChatCliOptions {
  tools: string[];
  provider?: string;
  model?: string;
  mode?: string;
  syntax?: string;
  cassette?: string;
  record?: boolean;
  quiet?: boolean;
  journal?: string;
}

export function registerChatCommand(program: Command): void {
  const command = program
    .command('chat')
    .description(
      'talk to the planner: each message is planned and run with the conversation so far',
    );
  addModelOptions(addToolsOption(command))
    .option('--quiet', 'no progress lines')
    .option(
      '--journal <dir>',
      'journal folder: a run stopped by Ctrl-C is resumable (toolplan resume RUN_ID --journal DIR)',
    )
    .action(async (options: ChatCliOptions) => {
      process.exitCode = await runChat(options);
    });
}

export const register = registerChatCommand;

/** Approvals asked on the conversation's own readline: a second one would compete for stdin. */
function chatApprover(
  ask: (prompt: string) => Promise<string | undefined>,
  stdout: NodeJS.WritableStream,
): TaskApproveFn {
  return async (request) => {
    for (;;) {
      const answer = await ask(approvalQuestion(request));
      if (!wantsFullArguments(answer)) return isYes(answer);
      stdout.write(fullArguments(request.args));
    }
  };
}

function replyOf(result: TaskResult, cassette: string | undefined): string {
  if (result.status === 'answered') return result.answer ?? '';
  if (result.status === 'suspended') return '(waiting for approval)';
  return `(failed: ${result.error ? cliErrorText(result.error, cassette) : 'unknown error'})`;
}

export async function runChat(
  options: ChatCliOptions,
  io: {
    stdin: NodeJS.ReadableStream;
    stdout: NodeJS.WritableStream;
    stderr: NodeJS.WritableStream;
  } = process,
): Promise<number> {
  let rl: Interface | undefined;
  try {
    const cli = modelFromOptions(options);
    const registry = await loadCliTools(options);
    rl = createInterface({
      input: io.stdin,
      output: io.stdout,
      terminal: (io.stdin as { isTTY?: boolean }).isTTY === true,
    });
    const lines = rl[Symbol.asyncIterator]();
    const ask = async (prompt: string): Promise<string | undefined> => {
      io.stdout.write(prompt);
      const next = await lines.next();
      return next.done ? undefined : next.value;
    };
    const store = options.journal === undefined ? undefined : new FileJournalStore(options.journal);
    // On a terminal readline reads Ctrl-C as a key: during a message it is the process's
    // SIGINT (`cancelOnSigint`); at the prompt it leaves, as readline does on its own.
    let running = false;
    const chatRl = rl;
    chatRl.on('SIGINT', () => (running ? process.kill(process.pid, 'SIGINT') : chatRl.close()));
    const history: Message[] = [];
    io.stderr.write(
      `toolplan chat: ${registry.size} tools, ${cli.model.provider}/${cli.model.modelId}. /exit to leave.\n`,
    );
    for (;;) {
      const text = (await ask('you> '))?.trim();
      if (text === undefined || text === '/exit' || text === '/quit') break;
      if (text === '') continue;
      const sigint = cancelOnSigint();
      running = true;
      const result = await runTask(text, {
        model: cli.model,
        signal: sigint.signal,
        // As `exec`: a Ctrl-C while a plan compensates lets it finish; a second stops it.
        stopSignal: sigint.stopSignal,
        onCompensating: sigint.onCompensating,
        ...(store ? { store } : {}),
        tools: registry,
        mode: (options.mode ?? 'plan') as TaskMode,
        syntax: (options.syntax ?? 'json') as PlanSyntax,
        history,
        approve: chatApprover(ask, io.stdout),
        onEvent: (event) => {
          // A failure is told once, in the reply below.
          if (options.quiet || event.type === 'task.failed') return;
          const line = progressLine(event);
          if (line) io.stderr.write(`${line}\n`);
        },
      }).finally(() => {
        running = false;
        sigint.dispose();
      });
      const reply = replyOf(result, options.cassette);
      io.stdout.write(`assistant> ${reply}\n`);
      history.push({ role: 'user', content: text }, { role: 'assistant', content: reply });
    }
    await cli.finish();
    return 0;
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    io.stderr.write(`toolplan chat: ${name}: ${cliThrownText(error, options.cassette)}\n`);
    return isToolplanError(error) && error.blame === 'config' ? 2 : 1;
  } finally {
    rl?.close();
  }
}
