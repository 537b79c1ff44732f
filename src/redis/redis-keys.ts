import { ConfigError } from '../errors/runtime-errors.ts';

/** Run ids become part of Redis keys and BullMQ job ids (which cannot hold ':'). */
const RUN_ID = /^[A-Za-z0-9_.-]{1,128}$/;

export function checkRunId(runId: string): string {
  if (!RUN_ID.test(runId)) {
    throw new ConfigError(
      'bad_run_id',
      `run id ${JSON.stringify(runId)} must match ${RUN_ID} (it is part of Redis keys)`,
    );
  }
  return runId;
}

/**
 * Where toolplan keeps things in Redis. A run's keys share the hash tag `{runId}`, so on
 * Redis Cluster they live in one slot and the journal's scripts run there atomically; the
 * run index and the set of active runs are the only keys across runs.
 */
export class RedisKeys {
  readonly prefix: string;

  constructor(prefix = 'toolplan') {
    this.prefix = prefix;
  }

  events(runId: string): string {
    return `${this.prefix}:run:{${checkRunId(runId)}}:events`;
  }

  lease(runId: string): string {
    return `${this.prefix}:run:{${runId}}:lease`;
  }

  fence(runId: string): string {
    return `${this.prefix}:run:{${runId}}:fence`;
  }

  /** Hash: approval key -> '1' approved, '0' denied. */
  approvals(runId: string): string {
    return `${this.prefix}:run:{${runId}}:approvals`;
  }

  /**
   * A cancel asked for by any process (its reason), for whoever owns the run now or takes it
   * over later; the owner removes it once it journaled the run's end.
   */
  cancelRequest(runId: string): string {
    return `${this.prefix}:run:{${runId}}:cancel-request`;
  }

  /** Pub/sub channel announcing a decision for a run. */
  approvalChannel(): string {
    return `${this.prefix}:approvals`;
  }

  /** Sorted set: every run, scored by the ms of its first append. */
  runs(): string {
    return `${this.prefix}:runs`;
  }

  /** Set: runs started or resumed and not finished or suspended (a coordinator's work). */
  active(): string {
    return `${this.prefix}:active`;
  }

  /** Pub/sub channel of job ids whose call was cancelled by its coordinator. */
  cancelChannel(): string {
    return `${this.prefix}:cancel`;
  }

  /** A cancelled call, for a worker that takes its job after the cancel was published. */
  cancelled(runId: string, jobId: string): string {
    return `${this.prefix}:run:{${runId}}:cancelled:${jobId}`;
  }

  /** The execution claim of one try of a remote call: who runs it, or what it ended with. */
  callClaim(runId: string, jobId: string): string {
    return `${this.prefix}:run:{${runId}}:claim:${jobId}`;
  }
}
