import type { Tracer } from '@opentelemetry/api';
import type { RunEvent } from '../exec/events.ts';
import type { LoopEvent } from '../loop/events.ts';
import { RunSpans } from './run-spans.ts';
import { TaskSpans } from './task-spans.ts';

/** Span builders keyed by run or task, fed by the server's observers. */
export interface Tracing {
  tracer: Tracer;
  observeRun(event: RunEvent, runId: string): void;
  observeTask(event: LoopEvent, taskId: string): void;
  shutdown(): Promise<void>;
}

/**
 * OTLP/HTTP export when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (the SDK packages are optional
 * dependencies, loaded only then); otherwise undefined and nothing is traced. Content
 * (arguments, results) is captured only with `TOOLPLAN_OTEL_CAPTURE_CONTENT=1`.
 */
export async function startTracing(
  serviceName: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Tracing | undefined> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  let sdk: typeof import('@opentelemetry/sdk-trace-node');
  let exporter: typeof import('@opentelemetry/exporter-trace-otlp-http');
  try {
    sdk = await import('@opentelemetry/sdk-trace-node');
    exporter = await import('@opentelemetry/exporter-trace-otlp-http');
  } catch {
    process.stderr.write(
      'toolplan: OTEL_EXPORTER_OTLP_ENDPOINT is set but the OpenTelemetry SDK is not installed: npm install @opentelemetry/sdk-trace-node @opentelemetry/exporter-trace-otlp-http\n',
    );
    return undefined;
  }
  const provider = new sdk.NodeTracerProvider({
    spanProcessors: [
      new sdk.BatchSpanProcessor(new exporter.OTLPTraceExporter(), { scheduledDelayMillis: 500 }),
    ],
  });
  const tracer = provider.getTracer(serviceName, '0.1.0');
  return tracingWith(tracer, () => provider.shutdown(), env.TOOLPLAN_OTEL_CAPTURE_CONTENT === '1');
}

export function tracingWith(
  tracer: Tracer,
  shutdown: () => Promise<void>,
  captureContent = false,
): Tracing {
  const runs = new Map<string, RunSpans>();
  const tasks = new Map<string, TaskSpans>();
  return {
    tracer,
    observeRun(event, runId) {
      let spans = runs.get(runId);
      if (!spans) {
        spans = new RunSpans(tracer, undefined, { captureContent });
        runs.set(runId, spans);
      }
      spans.onEvent(event);
      if (event.type === 'run.finished' || event.type === 'run.suspended') runs.delete(runId);
    },
    observeTask(event, taskId) {
      let spans = tasks.get(taskId);
      if (!spans) {
        spans = new TaskSpans(tracer, { captureContent });
        tasks.set(taskId, spans);
      }
      spans.onEvent(event);
      if (
        event.type === 'task.answered' ||
        event.type === 'task.failed' ||
        event.type === 'task.suspended'
      )
        tasks.delete(taskId);
    },
    async shutdown() {
      for (const r of runs.values()) r.end();
      await shutdown();
    },
  };
}
