import type { RunEvent } from '../exec/events.ts';
import type { LoopEvent } from '../loop/events.ts';
import { startTracing } from './otlp-setup.ts';

/**
 * Tracing for one CLI command (`run`, `exec`, `resume`): a pass-through of the command's
 * event callback when OTEL_EXPORTER_OTLP_ENDPOINT is not set; otherwise the same callback
 * that also feeds the spans, and a `shutdown` that flushes them before the process exits.
 */
export interface CliTracing {
  runEvents<E extends RunEvent>(onEvent: (e: E) => void): (e: E) => void;
  loopEvents(onEvent: (e: LoopEvent) => void): (e: LoopEvent) => void;
  shutdown(): Promise<void>;
}

export async function cliTracing(command: string): Promise<CliTracing> {
  const tracing = await startTracing(command).catch(() => undefined);
  if (!tracing) return { runEvents: (f) => f, loopEvents: (f) => f, shutdown: async () => {} };
  return {
    runEvents: (f) => (e) => {
      f(e);
      tracing.observeRun(e, 'cli');
    },
    loopEvents: (f) => (e) => {
      f(e);
      tracing.observeTask(e, 'cli');
    },
    shutdown: () => tracing.shutdown().catch(() => {}),
  };
}
