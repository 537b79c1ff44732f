/**
 * Deciding, for one try of one remote call, whether this worker calls the tool. BullMQ
 * delivers a job at least once: a worker whose lock renewal comes late (a paused process, a
 * starved event loop) loses the job to the stalled-job check while its tool still runs, and
 * the job goes to a second worker. The execution claim (a Redis key per job, see
 * `call-claims.ts`) says who is running the tool, or what it ended with, so the second worker
 * waits for the first one's outcome instead of calling the tool again. The claim lives while
 * its holder renews it; a holder that died stops renewing, its claim expires, and the next
 * delivery runs the call. Pure: Redis replies in, decisions out.
 *
 * Claim value: `run|<holder>` while a try runs, `done|<outcome JSON>` once it ended.
 */

/** What a try ended with, as recorded for every later delivery of the same job. */
export type RecordedOutcome = { ok: true; v: unknown } | { ok: false; reason: string };

export type ClaimState =
  /** The coordinator cancelled the call before this delivery. */
  | { kind: 'cancelled' }
  /** This try holds the claim. */
  | { kind: 'mine' }
  /** Another try, alive (it renews its claim), runs the tool. */
  | { kind: 'running'; holder: string }
  /** A try ended: its outcome is the call's. */
  | { kind: 'done'; outcome: RecordedOutcome };

/** Replies of the claim scripts that are not a claim value. */
export const CLAIMED = 'claimed';
export const CANCELLED = 'cancelled';

export const runValue = (holder: string) => `run|${holder}`;
export const doneValue = (outcome: RecordedOutcome) => `done|${JSON.stringify(outcome)}`;

/** A claim script's reply, seen by the try `holder`. */
export function parseClaimReply(reply: string, holder: string): ClaimState {
  if (reply === CLAIMED || reply === runValue(holder)) return { kind: 'mine' };
  if (reply === CANCELLED) return { kind: 'cancelled' };
  if (reply.startsWith('done|')) {
    try {
      return { kind: 'done', outcome: JSON.parse(reply.slice(5)) as RecordedOutcome };
    } catch {
      // Not ours to read: fall through to a holder we cannot know dead (it expires).
    }
  }
  return { kind: 'running', holder: reply.startsWith('run|') ? reply.slice(4) : reply };
}

export type ClaimStep =
  | { do: 'refuse' }
  | { do: 'run' }
  | { do: 'wait' }
  /** The holder is known dead: take its claim without waiting for it to expire. */
  | { do: 'take-over'; holder: string }
  | { do: 'complete'; outcome: RecordedOutcome };

/** A try's holder id: `<host>:<pid>:<nonce>#<n>`, so a worker on the same host can tell it died. */
export function holderId(host: string, pid: number, nonce: string, n: number): string {
  return `${host}:${pid}:${nonce}#${n}`;
}

export function holderProcess(holder: string): { host: string; pid: number } | undefined {
  const m = /^(.*):(\d+):[^:#]*#\d+$/.exec(holder);
  return m ? { host: m[1]!, pid: Number(m[2]) } : undefined;
}

/**
 * What a delivery does given the claim it found (the claim script claims a free one).
 * `dead` says whether a holder is known dead (a process of this host that is gone, as for
 * run leases): a SIGKILLed worker's call runs again at once, not after its claim expires.
 */
export function stepFor(
  state: ClaimState,
  dead: (holder: string) => boolean = () => false,
): ClaimStep {
  switch (state.kind) {
    case 'cancelled':
      return { do: 'refuse' };
    case 'mine':
      return { do: 'run' };
    case 'running':
      return dead(state.holder) ? { do: 'take-over', holder: state.holder } : { do: 'wait' };
    case 'done':
      return { do: 'complete', outcome: state.outcome };
  }
}

/**
 * While the tool runs, each renewal's reply: keep going while the claim is this try's (the
 * renewal takes a claim that expired unclaimed back); stop the tool once another try holds
 * it or ended it, since that try's outcome will be the call's.
 */
export function afterRenewal(state: ClaimState): 'keep' | 'abort' {
  return state.kind === 'mine' ? 'keep' : 'abort';
}

/** How a try of the tool ended, as the worker saw it. */
export type TryEnd =
  | { kind: 'value'; v: unknown }
  /** An error of the tool's own, or its timeout: the call's verdict. */
  | { kind: 'failed'; reason: string }
  /** The coordinator cancelled it: no verdict; a later call may run the tool. */
  | { kind: 'cancelled' }
  /** Stopped because another try holds the claim: that try's outcome is the call's. */
  | { kind: 'claim-lost' };

export type TryAction =
  | { do: 'record'; outcome: RecordedOutcome }
  | { do: 'release' }
  | { do: 'look-again' };

export function afterTry(end: TryEnd): TryAction {
  switch (end.kind) {
    case 'value':
      return { do: 'record', outcome: { ok: true, v: end.v } };
    case 'failed':
      return { do: 'record', outcome: { ok: false, reason: end.reason } };
    case 'cancelled':
      return { do: 'release' };
    case 'claim-lost':
      return { do: 'look-again' };
  }
}

/**
 * How long a claim lives without renewal, given the job lock: twice the lock, renewed every
 * quarter, so a live worker keeps its claim through renewals three times later than the ones
 * that lost it the job; a dead worker's call runs again once both expired.
 */
export function claimTimings(
  lockMs: number,
  claimMs?: number,
): { ttlMs: number; renewMs: number; pollMs: number } {
  const ttlMs = claimMs ?? 2 * lockMs;
  return {
    ttlMs,
    renewMs: Math.max(50, Math.floor(ttlMs / 4)),
    pollMs: Math.max(20, Math.min(250, Math.floor(ttlMs / 8))),
  };
}
