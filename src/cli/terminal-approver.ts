import { createInterface } from 'node:readline/promises';
import type { TaskApprovalRequest, TaskApproveFn } from '../loop/ports.ts';
import { approvalQuestion, fullArguments, wantsFullArguments } from './approval-question.ts';

export { approvalQuestion } from './approval-question.ts';

/** Only "y" or "yes" approves: an empty answer or the end of input denies. */
export function isYes(answer: string | undefined): boolean {
  return /^y(es)?$/i.test((answer ?? '').trim());
}

export interface TerminalApproverOptions {
  question?: (request: TaskApprovalRequest) => string;
  /** Aborting the request's signal withdraws the question (`exec`, `resume`). */
  abortable?: boolean;
}

/**
 * Asks a person on the terminal, with a readline of its own per question so that stdin is
 * not held between calls. Undefined when `input` is not a terminal: nobody can answer, so
 * the run suspends instead (or the caller decides otherwise).
 */
export function terminalApprover(
  input: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
  options: TerminalApproverOptions = {},
): TaskApproveFn | undefined {
  if (!input.isTTY) return undefined;
  const question = options.question ?? approvalQuestion;
  return async (request) => {
    const rl = createInterface({ input, output });
    try {
      for (;;) {
        const answer =
          options.abortable && request.signal
            ? await rl.question(question(request), { signal: request.signal })
            : await rl.question(question(request));
        if (!wantsFullArguments(answer)) return isYes(answer);
        output.write(fullArguments(request.args));
      }
    } finally {
      rl.close();
    }
  };
}
