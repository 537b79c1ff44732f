import type { ToolplanError } from '../errors/toolplan-error.ts';
import type { ErrorInfo } from '../exec/events.ts';
import { fromErrorInfo, toErrorInfo } from '../exec/run-context.ts';

/** The default BullMQ queue tool calls go to when a tool names none. */
export const DEFAULT_QUEUE = 'toolplan';

/** What a coordinator puts in a job: enough for a worker to make the call, as JSON. */
export interface CallJob {
  tool: string;
  args: unknown;
  idempotencyKey: string;
  runId: string;
  nodeId: string;
  attempt: number;
}

/**
 * The job id of one try of one call: the call's idempotency key, so a coordinator that
 * enqueues the same call again (after a crash, or a takeover) gets the same job and its
 * result instead of a second call. A retry after a failed try is a new call and needs a
 * job of its own: tries after the first add `@<attempt>`. BullMQ refuses ':' and integer
 * ids; keys hold neither (run ids exclude ':'), but a stray ':' is mapped out anyway.
 */
export function jobIdFor(idempotencyKey: string, attempt: number): string {
  const base = idempotencyKey.replaceAll(':', '_');
  return attempt <= 1 ? base : `${base}@${attempt}`;
}

const MARK = 'toolplan-error:';

/** A failed call as the job's failure reason: the error's name, code, message, details. */
export interface CallFailure extends ErrorInfo {
  /** The coordinator cancelled the call: not the tool's verdict, so never replayed. */
  aborted?: boolean;
}

export function encodeFailure(error: unknown, aborted: boolean): string {
  const info: CallFailure = toErrorInfo(error);
  if (aborted) info.aborted = true;
  return MARK + JSON.stringify(info);
}

/**
 * The failure a job ended with. A reason toolplan did not write is BullMQ's own (a worker
 * died more often than `maxStalledCount` allows, say): a retryable WorkerLost.
 */
export function decodeFailure(reason: string | undefined): CallFailure {
  if (reason?.startsWith(MARK)) {
    try {
      return JSON.parse(reason.slice(MARK.length)) as CallFailure;
    } catch {
      // Fall through: treat it as a reason we did not write.
    }
  }
  return {
    name: 'WorkerLost',
    message: `the remote call failed in the job queue: ${reason ?? '(no reason)'}`,
    code: 'worker_lost',
  };
}

/** The error a proxy throws for a failed remote call: named and coded as on the worker. */
export function failureError(failure: CallFailure): ToolplanError {
  const { aborted: _aborted, ...info } = failure;
  return fromErrorInfo(info);
}
