import { describe, expect, it } from 'vitest';
import {
  afterRenewal,
  afterTry,
  claimTimings,
  doneValue,
  holderId,
  holderProcess,
  parseClaimReply,
  runValue,
  stepFor,
} from '../../src/redis/call-claim.ts';

describe('deciding a remote call’s execution from its claim', () => {
  it('runs under its own claim, waits under a live one, completes with a recorded outcome', () => {
    expect(stepFor(parseClaimReply('claimed', 'a#1'))).toEqual({ do: 'run' });
    expect(stepFor(parseClaimReply(runValue('a#1'), 'a#1'))).toEqual({ do: 'run' });
    expect(stepFor(parseClaimReply(runValue('b#7'), 'a#1'))).toEqual({ do: 'wait' });
    expect(stepFor(parseClaimReply('cancelled', 'a#1'))).toEqual({ do: 'refuse' });
    const outcome = { ok: true as const, v: null };
    expect(stepFor(parseClaimReply(doneValue(outcome), 'a#1'))).toEqual({
      do: 'complete',
      outcome,
    });
    // A value nobody can read is a holder that expires, never a licence to run.
    expect(stepFor(parseClaimReply('done|{not json', 'a#1'))).toEqual({ do: 'wait' });
  });

  it('takes a claim over at once from a holder known dead, waits for any other', () => {
    const h = holderId('box-1', 4242, 'a1b2c3', 7);
    expect(holderProcess(h)).toEqual({ host: 'box-1', pid: 4242 });
    expect(holderProcess('not a holder')).toBeUndefined();
    const state = parseClaimReply(runValue(h), 'me#1');
    expect(stepFor(state, (x) => x === h)).toEqual({ do: 'take-over', holder: h });
    expect(stepFor(state, () => false)).toEqual({ do: 'wait' });
    expect(stepFor(parseClaimReply('claimed', 'me#1'), () => true)).toEqual({ do: 'run' });
  });

  it('stops the tool once the claim is another try’s, and records only verdicts', () => {
    expect(afterRenewal(parseClaimReply('claimed', 'a#1'))).toBe('keep');
    expect(afterRenewal(parseClaimReply(runValue('b#2'), 'a#1'))).toBe('abort');
    expect(afterRenewal(parseClaimReply(doneValue({ ok: false, reason: 'x' }), 'a#1'))).toBe(
      'abort',
    );
    expect(afterTry({ kind: 'value', v: 0 })).toEqual({
      do: 'record',
      outcome: { ok: true, v: 0 },
    });
    expect(afterTry({ kind: 'failed', reason: 'r' })).toEqual({
      do: 'record',
      outcome: { ok: false, reason: 'r' },
    });
    expect(afterTry({ kind: 'cancelled' })).toEqual({ do: 'release' });
    expect(afterTry({ kind: 'claim-lost' })).toEqual({ do: 'look-again' });
  });

  it('outlives the job lock, renewed often enough to survive late renewals', () => {
    expect(claimTimings(1500)).toEqual({ ttlMs: 3000, renewMs: 750, pollMs: 250 });
    expect(claimTimings(1000, 8000).ttlMs).toBe(8000);
    expect(claimTimings(100).pollMs).toBe(25);
  });
});
