import { createHash } from 'node:crypto';
import { truncateForLlm } from './truncate.ts';

/**
 * How tool results and tool errors are written for the LLM, in plan mode (the join prompt)
 * and react mode (tool results) alike. Everything a tool produced is untrusted: its output
 * and its error (name and message) are JSON — escaped, newlines included — cut to the
 * result budget, and in plan mode only ever inside the `<<<DATA nonce>>>` block. What goes
 * outside the block is toolplan's own text.
 */

export interface ErrorText {
  name: string;
  message: string;
  node?: string | undefined;
}

/** The error as data: name and message as a tool gave them (they are escaped as JSON). */
export function errorAsData(error: ErrorText): Record<string, string> {
  return {
    ...(error.node !== undefined ? { node: error.node } : {}),
    name: error.name,
    message: error.message,
  };
}

/** A react-mode tool result for a failed call: the error as JSON, cut like outputs are. */
export function toolErrorResult(error: ErrorText, maxChars: number): string {
  return truncateForLlm({ error: errorAsData(error) }, maxChars);
}

/** A react-mode tool result for a call that succeeded. */
export function toolOutputResult(output: unknown, maxChars: number): string {
  return truncateForLlm(output, maxChars);
}

/** Node keys are toolplan's own (ids and indexes); anything else stays in the data. */
const NODE_KEY = /^[A-Za-z0-9_[\]./#:-]{1,120}$/;

/**
 * The join prompt's status line and DATA block. The error goes in the block under "error",
 * cut with the results to the same budget; the status line names only the node.
 */
export function joinData(input: {
  status: 'succeeded' | 'failed' | 'suspended' | 'cancelled';
  output: unknown;
  error?: ErrorText | undefined;
  previous: Record<string, unknown>;
  maxChars: number;
  nonce?: string | undefined;
}): { status: string; nonce: string; data: string } {
  const error = input.error;
  const payload =
    error === undefined
      ? { output: input.output, results: input.previous }
      : { error: errorAsData(error), output: input.output, results: input.previous };
  const { nonce, data } = fence(truncateForLlm(payload, input.maxChars), input.nonce);
  if (input.status === 'succeeded') return { status: 'Status: the plan succeeded.', nonce, data };
  const at = error?.node !== undefined && NODE_KEY.test(error.node) ? ` at node ${error.node}` : '';
  const where = error ? ` Its error is under "error" in the data below.` : '';
  return {
    status: `Status: the plan ${input.status}${at}.${where} A new plan may work around the failure.`,
    nonce,
    data,
  };
}

/**
 * The nonce is a hash of the data itself: deterministic (cassettes replay byte for byte), yet
 * no tool output can contain the marker that closes it, since it would have to contain its
 * own hash. Any copy of the marker inside the data is defanged all the same.
 */
function fence(raw: string, given?: string): { nonce: string; data: string } {
  const nonce = given ?? createHash('sha256').update(raw).digest('hex').slice(0, 16);
  return { nonce, data: raw.split(`DATA ${nonce}`).join(`DATA-${nonce}`) };
}
