import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClaimReply } from '../../src/redis/call-claim.ts';
import { type CallClaimRef, CallClaims } from '../../src/redis/call-claims.ts';
import { RedisKeys } from '../../src/redis/redis-keys.ts';
import { freshPrefix, startRedis } from './support/redis.ts';

let redis: Awaited<ReturnType<typeof startRedis>>;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => redis?.stop());

function setup(ttlMs = 60_000) {
  const keys = new RedisKeys(freshPrefix());
  const conn = redis.connect();
  const claims = new CallClaims(conn, keys, { ttlMs, keepMs: 60_000 });
  const ref = (holder: string): CallClaimRef => ({ runId: 'r1', jobId: 'r1/a', holder });
  const seen = async (reply: Promise<string>, holder: string) =>
    parseClaimReply(await reply, holder);
  return { keys, conn, claims, ref, seen };
}

describe('execution claims in Redis', () => {
  it('one try holds a call; a second delivery sees it running, then its recorded outcome', async () => {
    const { claims, ref, seen } = setup();
    expect(await seen(claims.claim(ref('a')), 'a')).toEqual({ kind: 'mine' });
    // Claiming again as the same try is idempotent.
    expect(await seen(claims.claim(ref('a')), 'a')).toEqual({ kind: 'mine' });
    expect(await seen(claims.claim(ref('b')), 'b')).toEqual({ kind: 'running', holder: 'a' });
    expect(await seen(claims.renew(ref('a')), 'a')).toEqual({ kind: 'mine' });
    // A renewal by a try that does not hold the claim tells it to stop.
    expect(await seen(claims.renew(ref('b')), 'b')).toEqual({ kind: 'running', holder: 'a' });
    expect(await seen(claims.finish(ref('a'), { ok: true, v: { x: 0 } }), 'a')).toEqual({
      kind: 'mine',
    });
    const done = { kind: 'done', outcome: { ok: true, v: { x: 0 } } };
    expect(await seen(claims.claim(ref('b')), 'b')).toEqual(done);
    // A late try's outcome does not replace the first one recorded.
    expect(await seen(claims.finish(ref('c'), { ok: false, reason: 'late' }), 'c')).toEqual(done);
    expect(await seen(claims.renew(ref('a')), 'a')).toEqual(done);
  });

  it('a holder that stops renewing loses the claim to the next delivery; release frees it', async () => {
    const { claims, ref, seen } = setup(300);
    expect(await seen(claims.claim(ref('a')), 'a')).toEqual({ kind: 'mine' });
    await new Promise((r) => setTimeout(r, 450));
    expect(await seen(claims.claim(ref('b')), 'b')).toEqual({ kind: 'mine' });
    expect(await seen(claims.renew(ref('a')), 'a')).toEqual({ kind: 'running', holder: 'b' });
    // Only the holder's release frees it.
    await claims.release(ref('a'));
    expect(await seen(claims.claim(ref('c')), 'c')).toEqual({ kind: 'running', holder: 'b' });
    await claims.release(ref('b'));
    expect(await seen(claims.claim(ref('c')), 'c')).toEqual({ kind: 'mine' });
    // A claim that expired with nobody taking it is taken back by its holder's renewal.
    await new Promise((r) => setTimeout(r, 450));
    expect(await seen(claims.renew(ref('c')), 'c')).toEqual({ kind: 'mine' });
    expect(await seen(claims.claim(ref('d')), 'd')).toEqual({ kind: 'running', holder: 'c' });
  });

  it('takes over a dead holder’s claim only while that holder still has it', async () => {
    const { claims, ref, seen } = setup();
    expect(await seen(claims.claim(ref('dead')), 'dead')).toEqual({ kind: 'mine' });
    // Another try took it first: no take-over of a claim that moved on.
    expect(await seen(claims.takeOver(ref('b'), 'someone-else'), 'b')).toEqual({
      kind: 'running',
      holder: 'dead',
    });
    expect(await seen(claims.takeOver(ref('b'), 'dead'), 'b')).toEqual({ kind: 'mine' });
    expect(await seen(claims.takeOver(ref('c'), 'dead'), 'c')).toEqual({
      kind: 'running',
      holder: 'b',
    });
    // The dead holder's late renewal (a pid reused, say) tells it to stop.
    expect(await seen(claims.renew(ref('dead')), 'dead')).toEqual({ kind: 'running', holder: 'b' });
  });

  it('a call its coordinator cancelled is refused, under the run’s hash tag', async () => {
    const { claims, ref, seen, keys, conn } = setup();
    const key = keys.cancelled('r1', 'r1/a');
    expect(key).toContain('{r1}');
    expect(keys.callClaim('r1', 'r1/a')).toContain('{r1}');
    await conn.set(key, '1');
    expect(await seen(claims.claim(ref('a')), 'a')).toEqual({ kind: 'cancelled' });
    expect(await seen(claims.takeOver(ref('a'), 'x'), 'a')).toEqual({ kind: 'cancelled' });
  });
});
