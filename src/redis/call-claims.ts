import type { Redis } from 'ioredis';
import { CANCELLED, CLAIMED, doneValue, type RecordedOutcome, runValue } from './call-claim.ts';
import type { RedisKeys } from './redis-keys.ts';

/**
 * The execution claims of remote calls, in Redis (what they mean: `call-claim.ts`). Each
 * operation is one Lua script, atomic in Redis; the keys a script touches share the run's
 * hash tag, so they run unchanged on Redis Cluster. Replies are claim values or the
 * `claimed`/`cancelled` marks, for `parseClaimReply`.
 */

/** KEYS: claim, cancelled. ARGV: run value, ttl ms. */
const CLAIM = `
if redis.call('EXISTS', KEYS[2]) == 1 then return '${CANCELLED}' end
local cur = redis.call('GET', KEYS[1])
if cur then return cur end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return '${CLAIMED}'
`;

/** KEYS: claim. ARGV: run value, ttl ms. A claim that expired unclaimed is taken back. */
const RENEW = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return cur end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return '${CLAIMED}'
`;

/** KEYS: claim. ARGV: done value, ttl ms. The first outcome recorded stays the call's. */
const FINISH = `
local cur = redis.call('GET', KEYS[1])
if cur and string.sub(cur, 1, 5) == 'done|' then return cur end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return '${CLAIMED}'
`;

/** KEYS: claim, cancelled. ARGV: run value, ttl ms, the dead holder's run value. */
const TAKE_OVER = `
if redis.call('EXISTS', KEYS[2]) == 1 then return '${CANCELLED}' end
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[3] then return cur end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return '${CLAIMED}'
`;

/** KEYS: claim. ARGV: run value. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return '${CLAIMED}'
`;

type Scripted = Redis & {
  toolplanClaim(claim: string, cancelled: string, value: string, ttl: number): Promise<string>;
  toolplanClaimRenew(claim: string, value: string, ttl: number): Promise<string>;
  toolplanClaimFinish(claim: string, value: string, ttl: number): Promise<string>;
  toolplanClaimRelease(claim: string, value: string): Promise<string>;
  toolplanClaimTakeOver(
    claim: string,
    cancelled: string,
    value: string,
    ttl: number,
    dead: string,
  ): Promise<string>;
};

/** One call's claim, as one try (`holder`) of it sees it. */
export interface CallClaimRef {
  runId: string;
  jobId: string;
  holder: string;
}

export class CallClaims {
  readonly #r: Scripted;
  readonly #keys: RedisKeys;
  readonly #ttlMs: number;
  readonly #keepMs: number;

  /** `ttlMs`: a running claim's life without renewal; `keepMs`: how long outcomes are kept. */
  constructor(redis: Redis, keys: RedisKeys, options: { ttlMs: number; keepMs: number }) {
    if (!(redis as unknown as Partial<Scripted>).toolplanClaim) {
      redis.defineCommand('toolplanClaim', { numberOfKeys: 2, lua: CLAIM });
      redis.defineCommand('toolplanClaimRenew', { numberOfKeys: 1, lua: RENEW });
      redis.defineCommand('toolplanClaimFinish', { numberOfKeys: 1, lua: FINISH });
      redis.defineCommand('toolplanClaimRelease', { numberOfKeys: 1, lua: RELEASE });
      redis.defineCommand('toolplanClaimTakeOver', { numberOfKeys: 2, lua: TAKE_OVER });
    }
    this.#r = redis as unknown as Scripted;
    this.#keys = keys;
    this.#ttlMs = options.ttlMs;
    this.#keepMs = options.keepMs;
  }

  /** Claims a free claim for `ref.holder`; else says who holds it, or what it ended with. */
  claim(ref: CallClaimRef): Promise<string> {
    return this.#r.toolplanClaim(
      this.#keys.callClaim(ref.runId, ref.jobId),
      this.#keys.cancelled(ref.runId, ref.jobId),
      runValue(ref.holder),
      this.#ttlMs,
    );
  }

  /** Claims the call if `deadHolder` still holds it (or nobody does); else as `claim`. */
  takeOver(ref: CallClaimRef, deadHolder: string): Promise<string> {
    return this.#r.toolplanClaimTakeOver(
      this.#keys.callClaim(ref.runId, ref.jobId),
      this.#keys.cancelled(ref.runId, ref.jobId),
      runValue(ref.holder),
      this.#ttlMs,
      runValue(deadHolder),
    );
  }

  renew(ref: CallClaimRef): Promise<string> {
    return this.#r.toolplanClaimRenew(
      this.#keys.callClaim(ref.runId, ref.jobId),
      runValue(ref.holder),
      this.#ttlMs,
    );
  }

  /** Records the try's outcome; replies with an outcome recorded before, if any. */
  finish(ref: CallClaimRef, outcome: RecordedOutcome): Promise<string> {
    return this.#r.toolplanClaimFinish(
      this.#keys.callClaim(ref.runId, ref.jobId),
      doneValue(outcome),
      this.#keepMs,
    );
  }

  async release(ref: CallClaimRef): Promise<void> {
    await this.#r.toolplanClaimRelease(
      this.#keys.callClaim(ref.runId, ref.jobId),
      runValue(ref.holder),
    );
  }
}
