import type { RunEvent } from '../exec/events.ts';
import type { RunLimits } from '../exec/limits.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import type { EventSource } from './event-source.ts';
import type { SummaryT } from './schemas.ts';

/**
 * What the HTTP API needs of the plan runs a server serves: `RunService` holds them in this
 * process with a file journal; `RedisRunService` shares them with other servers through Redis.
 */
export interface PlanRuns {
  /** The registry calls go through when not the server's own (remote proxies under Redis). */
  readonly callTools?: ToolRegistry;
  /** Loads what is there; resumes or takes over what was interrupted. Returns those ids. */
  recover(interrupted?: ReadonlySet<string>): Promise<string[]>;
  start(plan: unknown, input: unknown, limits?: RunLimits): Promise<string>;
  /** The journal a run's SSE stream replays and follows. */
  readonly hub: EventSource<RunEvent>;
  events(id: string): Promise<RunEvent[]>;
  get(id: string): SummaryT | undefined | Promise<SummaryT | undefined>;
  list(): SummaryT[] | Promise<SummaryT[]>;
  /** Resolves once this server no longer runs the run. */
  settled(id: string): Promise<void>;
  /** Nothing more can come for the run (its stream may end once drained). */
  isIdle(id: string): boolean;
  decide(id: string, node: string, approved: boolean): Promise<void>;
  cancel(id: string): Promise<boolean>;
  /** Stops accepting; returns the runs cut short (journaled or handed over). */
  drain(graceMs: number): Promise<string[]>;
}
