import { createInterface } from 'node:readline/promises';
import type { ApprovalRequest, ApproveFn } from '../loop/ports.ts';

/** The question `run` and `chat` ask: the tool and its arguments, kept to one line. */
export function approvalQuestion(request: Pick<ApprovalRequest, 'tool' | 'args'>): string {
  return `approve ${request.tool} ${JSON.stringify(request.args).slice(0, 300)}? [y/N] `;
}

/** Only "y" or "yes" approves: an empty answer or the end of input denies. */
export function isYes(answer: string | undefined): boolean {
  return /^y(es)?$/i.test((answer ?? '').trim());
}

export interface TerminalApproverOptions {
  question?: (request: ApprovalRequest) => string;
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
): ApproveFn | undefined {
  if (!input.isTTY) return undefined;
  const question = options.question ?? approvalQuestion;
  return async (request) => {
    const rl = createInterface({ input, output });
    try {
      const answer =
        options.abortable && request.signal
          ? await rl.question(question(request), { signal: request.signal })
          : await rl.question(question(request));
      return isYes(answer);
    } finally {
      rl.close();
    }
  };
}
