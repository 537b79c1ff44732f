import { seededRandom } from '../support/random.ts';

export interface ScenarioOptions {
  /** Seeds the quote prices and exchange rates. Default 1. */
  seed?: number;
  /** primary_quote fails this many calls, then works; "always" never works. Default 2. */
  primaryFailures?: number | 'always';
  /** flaky_service fails while ctx.attempt is below this. Default 3 (works on the 3rd try). */
  flakySucceedsOnAttempt?: number;
  /** How long rates_a and rates_b take. Default a 60 ms, b 10 ms (b wins a race). */
  ratesLatencyMs?: { a?: number; b?: number };
}

export interface SentEmail {
  message_id: string;
  to: string;
  subject: string;
  body: string;
}

/** What the scenario tools did: tests assert on it (e.g. delete_everything never ran). */
export interface ScenarioState {
  readonly options: Required<Omit<ScenarioOptions, 'ratesLatencyMs'>> & {
    ratesLatencyMs: { a: number; b: number };
  };
  /** Calls that reached each tool's body, by tool name (attempts included). */
  readonly calls: Map<string, number>;
  readonly emails: SentEmail[];
  readonly errorsLogged: { message: string; node: string | null }[];
  deleteEverythingRuns: number;
  readonly random: () => number;
  count(tool: string): number;
}

export function createScenarioState(options: ScenarioOptions = {}): ScenarioState {
  const resolved = {
    seed: options.seed ?? 1,
    primaryFailures: options.primaryFailures ?? 2,
    flakySucceedsOnAttempt: options.flakySucceedsOnAttempt ?? 3,
    ratesLatencyMs: { a: options.ratesLatencyMs?.a ?? 60, b: options.ratesLatencyMs?.b ?? 10 },
  };
  const calls = new Map<string, number>();
  return {
    options: resolved,
    calls,
    emails: [],
    errorsLogged: [],
    deleteEverythingRuns: 0,
    random: seededRandom(resolved.seed),
    count(tool) {
      const n = (calls.get(tool) ?? 0) + 1;
      calls.set(tool, n);
      return n;
    },
  };
}
